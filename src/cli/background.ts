// Going to the background as ISC's daemons do for init scripts: the command starts a detached copy of itself
// (its own session) and exits 0 once that copy reports "ready", or with the copy's exit code if its start
// fails — what start-stop-daemon and systemd's Type=forking wait for. Shared by `leasehold server` and
// `leasehold relay`.

import { spawn } from 'node:child_process';

/** Set in the background copy's environment: report readiness over the IPC channel. */
const BACKGROUND_ENV = 'LEASEHOLD_BACKGROUND';

/** Whether this process is the background copy (it then calls reportReady once it serves). */
export function isBackgroundCopy(): boolean {
  return process.env[BACKGROUND_ENV] === '1' && typeof process.send === 'function';
}

/** Tells the launcher this copy is ready; disconnects only once the message is out. */
export function reportReady(): void {
  process.send?.('ready', undefined, undefined, () => process.disconnect?.());
}

/** Starts this command again, with `extraArgs` appended, detached; resolves with the launcher's exit code. */
export function startInBackground(command: string, extraArgs: readonly string[]): Promise<number> {
  const args = [...process.execArgv, ...process.argv.slice(1), ...extraArgs];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, [BACKGROUND_ENV]: '1' },
  });
  return new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      child.removeAllListeners();
      if (child.connected) child.disconnect();
      child.unref();
      resolve(code);
    };
    child.on('message', (m) => {
      if (m === 'ready') finish(0);
    });
    child.on('exit', (code, signal) => finish(code ?? (signal ? 1 : 0)));
    child.on('error', (err) => {
      process.stderr.write(`leasehold ${command}: cannot start in the background: ${err.message}\n`);
      finish(1);
    });
  });
}
