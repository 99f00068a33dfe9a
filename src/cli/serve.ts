// `leasehold server` without -t/-T: start the server with dhcpd's flags and run until SIGTERM or
// SIGINT, which flush the lease file, close the sockets and remove the PID file (exit 0).
//
// Like dhcpd, without -f or -d the server goes to the background: the command starts a detached copy
// of itself with -f and exits 0 once that copy reports "ready" (PID file written, "Server starting
// service." logged), or with the copy's exit code if its start fails — what start-stop-daemon and
// systemd's Type=forking (Debian's isc-dhcp-server script) wait for. Unlike dhcpd, logs are not sent to
// syslog yet: they go to stderr as syslog-style lines (bare lines with -d), and the background copy
// keeps the stderr it was started with.
//
// With --http ADDR:PORT the HTTP API and /metrics (src/http/, server/daemon-http.ts) are checked before the
// server starts, start once it serves, and stop before it does.

import { notifyReady, notifyReloading, notifyStopping } from '../io/sd-notify.js';
import { syslogLogger } from '../io/syslog.js';
import {
  countingEngine,
  type HttpService,
  type PreparedHttp,
  prepareHttp,
  startHttpService,
} from '../server/daemon-http.js';
import { type Logger, streamLogger } from '../server/daemon-log.js';
import { type StartSettings, startServer } from '../server/daemon-start.js';
import { handle } from '../server/engine.js';
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

/** `log-facility` (global), as syslog's facility name. */
function logFacility(tree: { global: { parameters: ReadonlyMap<string, { value?: unknown }> } }): string | undefined {
  const v = tree.global.parameters.get('log-facility')?.value;
  return typeof v === 'string' ? v : undefined;
}

export async function serve(flags: DhcpdFlags): Promise<number> {
  if (!flags.foreground) return startInBackground('server', ['-f']);
  const inBackground = isBackgroundCopy();
  if (inBackground) {
    // The terminal we were started from may go away; a write error must not kill the server.
    process.stderr.on('error', () => undefined);
  }
  // -d: bare lines on stderr. Otherwise syslog, as ISC (tagged dhcpd, so existing log rules keep matching);
  // LEASEHOLD_LOG=stderr keeps syslog-style lines on stderr instead (tests, containers without a log daemon).
  const log: Logger & { flush(): void; setFacility?(f: string | number | undefined): boolean } =
    flags.debug || process.env.LEASEHOLD_LOG === 'stderr'
      ? streamLogger({ bare: flags.debug })
      : syslogLogger({ ident: 'dhcpd' });
  process.on('exit', () => log.flush());
  // --http: the tokens file, certificate and address are checked before anything starts.
  let http: PreparedHttp | undefined;
  if (flags.http !== undefined) {
    const prepared = prepareHttp({
      listen: flags.http,
      tokensFile: flags.httpTokens,
      certFile: flags.httpCert,
      keyFile: flags.httpKey,
    });
    if (!prepared.ok) {
      log.error(prepared.error);
      return 1;
    }
    http = prepared.http;
    for (const w of prepared.warnings) log.error(w);
  }
  const started = await startServer(settingsFromFlags(flags), {
    log,
    ...(http !== undefined
      ? {
          daemon: {
            engine: countingEngine(handle, http.metrics.packets),
            onCommitTimed: (s: number) => http.metrics.observeCommit(s),
          },
        }
      : {}),
  });
  if (!started.ok) return started.code;
  const { server } = started;
  log.setFacility?.(logFacility(server.tree));
  let api: HttpService | undefined;
  if (http !== undefined) {
    try {
      api = await startHttpService(server, http, { log, failover: () => server.failover ?? new Map() });
    } catch (e) {
      log.error(`Can't start the HTTP API on ${flags.http}: ${e instanceof Error ? e.message : String(e)}`);
      await server.stop();
      return 1;
    }
  }
  if (inBackground) {
    // The launcher returns as soon as it hears 'ready': the start-up lines must be in the log by then.
    log.flush();
    reportReady();
  }
  const notifyError = { onError: (m: string) => log.error(m) };
  notifyReady('Serving', notifyError); // systemd's Type=notify (nothing without NOTIFY_SOCKET)
  return untilSignal(
    log,
    async () => {
      notifyStopping(undefined, notifyError);
      await api?.close();
      await server.stop();
    },
    server.shutdownRequested,
    () => {
      log.info('Received signal 1, reloading the configuration.');
      notifyReloading(undefined, notifyError);
      void (api?.reload() ?? server.reload()).then((r) => {
        if (r.ok) log.setFacility?.(logFacility(server.tree));
        notifyReady(r.ok ? 'Serving' : 'Serving (reload refused)', notifyError);
      });
    },
  );
}
