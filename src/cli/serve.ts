// `leasehold server` without -t/-T: start the server with dhcpd's flags and run until SIGTERM or
// SIGINT, which flush the lease file, close the sockets and remove the PID file (exit 0).
//
// Like dhcpd, without -f or -d the server goes to the background: the command starts a detached copy
// of itself with -f and exits 0 once that copy reports "ready" (PID file written, "Server starting
// service." logged), or with the copy's exit code if its start fails — what start-stop-daemon and
// systemd's Type=forking (Debian's isc-dhcp-server script) wait for. Unlike dhcpd, logs are not sent to
// syslog yet: they go to stderr as syslog-style lines (bare lines with -d), and the background copy
// keeps the stderr it was started with.

import { streamLogger } from '../server/daemon-log.js';
import { type StartSettings, startServer } from '../server/daemon-start.js';
import { isBackgroundCopy, reportReady, startInBackground } from './background.js';
import type { DhcpdFlags } from './dhcpd-flags.js';
import { untilSignal } from './until-signal.js';

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
    historyDays: flags.historyDays,
    // Not a dhcpd flag either: LEASEHOLD_WARMUP=0 starts without compiling the packet path first.
    warmUp: process.env.LEASEHOLD_WARMUP !== '0',
  };
}

export async function serve(flags: DhcpdFlags): Promise<number> {
  if (!flags.foreground) return startInBackground('server', ['-f']);
  const inBackground = isBackgroundCopy();
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
    reportReady();
  }
  return untilSignal(
    log,
    () => server.stop(),
    server.shutdownRequested,
    () => {
      log.info('Received signal 1, reloading the configuration.');
      void server.reload();
    },
  );
}
