// `leasehold server` without -t/-T: start the server with dhcpd's flags and run until SIGTERM or
// SIGINT, which flush the lease file, close the sockets and remove the PID file (exit 0).
//
// Like dhcpd, without -f or -d the server goes to the background: the command starts a detached copy
// of itself with -f and exits 0 once that copy reports "ready" (PID file written, "Server starting
// service." logged), or with the copy's exit code if its start fails — what start-stop-daemon and
// systemd's Type=forking (Debian's isc-dhcp-server script) wait for. Unlike dhcpd, logs are not sent to
// syslog yet: they go to stderr as syslog-style lines (bare lines with -d), and the background copy
// keeps the stderr it was started with.

import { spawn } from 'node:child_process';
import { streamLogger } from '../server/daemon-log.js';
import { type StartSettings, startServer } from '../server/daemon-start.js';
import type { DhcpdFlags } from './dhcpd-flags.js';

/** Set in the background copy's environment: report readiness over the IPC channel. */
const BACKGROUND_ENV = 'LEASEHOLD_SERVER_BACKGROUND';

export function settingsFromFlags(flags: DhcpdFlags): StartSettings {
  return {
    configFile: flags.configFile,
    leaseFile: flags.leaseFile,
    pidFile: flags.noPid ? undefined : flags.pidFile,
    port: flags.port,
    quiet: flags.quiet,
    interfaces: flags.interfaces,
    ...(flags.user !== undefined ? { user: flags.user } : {}),
    ...(flags.group !== undefined ? { group: flags.group } : {}),
    // Not a dhcpd flag: forces ISC's socket mode, for tests of the UDP path and hosts where packet
    // sockets misbehave.
    transport: process.env.LEASEHOLD_TRANSPORT === 'udp' ? 'udp' : 'auto',
    // Not a dhcpd flag either: LEASEHOLD_WARMUP=0 starts without compiling the packet path first.
    warmUp: process.env.LEASEHOLD_WARMUP !== '0',
  };
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGINT: 2, SIGTERM: 15 };

export async function serve(flags: DhcpdFlags): Promise<number> {
  if (!flags.foreground) return background();
  const inBackground = process.env[BACKGROUND_ENV] === '1' && typeof process.send === 'function';
  if (inBackground) {
    // The terminal we were started from may go away; a write error must not kill the server.
    process.stderr.on('error', () => undefined);
  }
  const log = streamLogger({ bare: flags.debug });
  process.on('exit', () => log.flush());
  const started = await startServer(settingsFromFlags(flags), { log });
  if (!started.ok) return started.code;
  const { server } = started;
  if (inBackground) {
    // The launcher returns as soon as it hears 'ready': the start-up lines must be in the log by then.
    log.flush();
    // Disconnect only once the message is out, so the launcher surely sees it.
    process.send?.('ready', undefined, undefined, () => process.disconnect?.());
  }
  return new Promise<number>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      log.info(`Received signal ${SIGNAL_NUMBERS[sig] ?? sig}, initiating shutdown.`);
      server.stop().then(
        () => resolve(0),
        (e: unknown) => {
          log.error(`shutdown: ${e instanceof Error ? e.message : String(e)}`);
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/** Starts `this command -f` detached (its own session) and waits for it to be ready or to fail. */
function background(): Promise<number> {
  const args = [...process.execArgv, ...process.argv.slice(1), '-f'];
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
      process.stderr.write(`leasehold server: cannot start in the background: ${err.message}\n`);
      finish(1);
    });
  });
}
