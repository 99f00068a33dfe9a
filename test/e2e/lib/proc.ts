// Child processes for end-to-end tests, always bounded: every run has a time limit, output is capped, and a
// process is stopped by its own PID (never by name), first politely, then with SIGKILL.
import { type ChildProcess, spawn } from 'node:child_process';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface Spawned {
  readonly pid: number;
  readonly process: ChildProcess;
  /** Settles once the process has exited, with everything it printed. */
  readonly exited: Promise<RunResult>;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line matching `match` (already printed or yet to come). */
  waitForLine(match: RegExp | ((line: string) => boolean), timeoutMs: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. Safe to call when already exited. */
  stop(graceMs?: number): Promise<RunResult>;
}

export interface SpawnOptions {
  /** Hard limit: the process is killed (SIGKILL) when it runs longer. */
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  stdin?: string;
  /** Per-stream cap on captured output. */
  maxOutputBytes?: number;
}

const DEFAULT_MAX_OUTPUT = 1 << 20;

function capture(stream: NodeJS.ReadableStream | null, cap: number, onData: () => void): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    if (text.length < cap) text += chunk.slice(0, cap - text.length);
    onData();
  });
  return () => text;
}

export function spawnBounded(cmd: string, args: readonly string[], opts: SpawnOptions): Spawned {
  const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const cap = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  const stdout = capture(child.stdout, cap, wake);
  const stderr = capture(child.stderr, cap, wake);
  let timedOut = false;
  let done = false;
  const killTimer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) child.kill('SIGKILL');
  }, opts.timeoutMs);
  let spawnError = '';
  const exited = new Promise<RunResult>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (done) return;
      done = true;
      clearTimeout(killTimer);
      resolve({ code, signal, stdout: stdout(), stderr: stderr() + spawnError, timedOut });
      wake();
    };
    // A process that could not start (ENOENT…) reports through 'error' and may never emit 'close'.
    child.on('error', (err) => {
      spawnError = `${err.message}\n`;
      finish(null, null);
    });
    child.on('close', finish);
  });
  if (opts.stdin !== undefined) child.stdin?.end(opts.stdin);
  else child.stdin?.end();

  return {
    pid: child.pid ?? -1,
    process: child,
    exited,
    stdout,
    stderr,
    waitForLine(match, timeoutMs) {
      const test = typeof match === 'function' ? match : (line: string) => match.test(line);
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = stdout().split('\n').find(test);
          if (line !== undefined) return settle(() => resolve(line));
          if (done) return settle(() => reject(new Error(`process ${child.pid} exited before printing ${match}`)));
        };
        const timer = setTimeout(
          () => settle(() => reject(new Error(`no line ${match} within ${timeoutMs} ms`))),
          timeoutMs,
        );
        const settle = (fn: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          fn();
        };
        waiters.add(check);
        check();
      });
    },
    async stop(graceMs = 1000) {
      if (!done && child.pid !== undefined) {
        child.kill('SIGTERM');
        const grace = setTimeout(() => {
          if (!done) child.kill('SIGKILL');
        }, graceMs);
        await exited;
        clearTimeout(grace);
      }
      return exited;
    },
  };
}

export function runBounded(cmd: string, args: readonly string[], opts: SpawnOptions): Promise<RunResult> {
  return spawnBounded(cmd, args, opts).exited;
}
