// Runs dhclient-script as ISC's script_go() does: the script's environment is the client's variables plus PATH
// and nothing else (no inherited environment, so a script behaves the same from a shell, ifupdown or systemd),
// the client waits for it, and its exit status is the answer. Without -sf the system's /sbin/dhclient-script
// is used when present, else Leasehold's built-in script (default-script.ts), run with `sh -c`.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { DEFAULT_SCRIPT } from './default-script.js';
import type { ScriptReason } from './script-env.js';

/** ISC's CLIENT_PATH. */
export const CLIENT_PATH = '/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin';
export const SYSTEM_SCRIPT = '/sbin/dhclient-script';
/** Marker for "the built-in script" (not a path). */
export const BUILTIN_SCRIPT = 'builtin';

export type ScriptChoice = { kind: 'file'; path: string } | { kind: 'builtin' };

/** -sf, else dhclient.conf's `script`, else /sbin/dhclient-script if executable, else the built-in one. */
export function chooseScript(flag: string | undefined, fromConf: string | undefined, exists = isExecutable) {
  const named = flag ?? fromConf;
  if (named === BUILTIN_SCRIPT) return { kind: 'builtin' } as ScriptChoice;
  if (named !== undefined) return { kind: 'file', path: named } as ScriptChoice;
  return (exists(SYSTEM_SCRIPT) ? { kind: 'file', path: SYSTEM_SCRIPT } : { kind: 'builtin' }) as ScriptChoice;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface ScriptRunnerOptions {
  choice: ScriptChoice;
  /** Extra `-e VAR=value` variables (ISC's client_env), before the client's own. */
  extraEnv?: Record<string, string>;
  /** A script still running after this long is killed (ISC waits forever; a hung hook should not). */
  timeoutMs?: number;
  log: (level: 'info' | 'error', message: string) => void;
}

export class ScriptRunner {
  constructor(private readonly opts: ScriptRunnerOptions) {}

  describe(): string {
    return this.opts.choice.kind === 'builtin' ? 'the built-in script' : this.opts.choice.path;
  }

  /** Runs the script; resolves with its exit status, -1 when it could not run or was killed. */
  run(reason: ScriptReason, vars: Record<string, string>): Promise<number> {
    const env: Record<string, string> = { ...(this.opts.extraEnv ?? {}), ...vars, PATH: CLIENT_PATH };
    const choice = this.opts.choice;
    const [cmd, args] =
      choice.kind === 'builtin' ? ['/bin/sh', ['-c', DEFAULT_SCRIPT, 'dhclient-script']] : [choice.path, []];
    return new Promise((resolve) => {
      let settled = false;
      const done = (status: number) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(status);
      };
      const child = spawn(cmd, args as string[], { env, stdio: ['ignore', 'inherit', 'inherit'] });
      const timer = setTimeout(() => {
        this.opts.log('error', `${this.describe()} (${reason}) still running after ${this.opts.timeoutMs} ms: killed`);
        child.kill('SIGKILL');
      }, this.opts.timeoutMs ?? 120_000);
      child.on('error', (err) => {
        this.opts.log('error', `cannot run ${this.describe()} (${reason}): ${err.message}`);
        done(-1);
      });
      child.on('exit', (code, signal) => {
        if (signal !== null) this.opts.log('error', `${this.describe()} (${reason}) killed by ${signal}`);
        done(code ?? -1);
      });
    });
  }
}
