// Command-line flags of `leasehold server`, with dhcpd's names, meanings and defaults
// (dhcpd(8)): -cf -lf -pf --no-pid -p -f -d -q -t -T and interface names, plus Leasehold's own --http
// ADDR:PORT, --http-tokens FILE, --http-cert FILE, --http-key FILE (src/http/). Kept apart from the
// command so other tools (and tests) can reuse the parsing.

import { parseListen } from '../http/tokens.js';

export interface DhcpdFlags {
  configFile: string;
  leaseFile: string;
  pidFile: string;
  noPid: boolean;
  /** Port to listen on; replies go to port + 1, as ISC does. */
  port: number;
  foreground: boolean;
  debug: boolean;
  quiet: boolean;
  testConfig: boolean;
  testLeases: boolean;
  /** `-user` / `-group`: drop root privileges to these once sockets and files are open. */
  user?: string;
  group?: string;
  /** `--history-days N`: days of lease history kept in LEASEFILE.history (0: none). */
  historyDays: number;
  interfaces: string[];
  /** `--http ADDR:PORT`: serve the API and /metrics there (off without it). */
  http?: string;
  /** `--http-tokens FILE`: lines `ROLE TOKEN`; every request then needs a token. */
  httpTokens?: string;
  /** `--http-cert FILE` and `--http-key FILE` (both or neither): HTTPS. */
  httpCert?: string;
  httpKey?: string;
}

export type FlagsResult = { ok: true; flags: DhcpdFlags } | { ok: false; error: string } | { ok: false; help: true };

export const DHCPD_DEFAULTS: Readonly<DhcpdFlags> = Object.freeze({
  configFile: '/etc/dhcp/dhcpd.conf',
  leaseFile: '/var/lib/dhcp/dhcpd.leases',
  pidFile: '/var/run/dhcpd.pid',
  noPid: false,
  port: 67,
  foreground: false,
  debug: false,
  quiet: false,
  testConfig: false,
  testLeases: false,
  historyDays: 30,
  interfaces: [],
});

export const DHCPD_USAGE = `usage: leasehold server [-p PORT] [-f] [-d] [-q] [-t|-T] [-cf CONFIG] [-lf LEASES]
                        [-pf PIDFILE] [--no-pid] [IFACE ...]
  -cf FILE   configuration file (default /etc/dhcp/dhcpd.conf)
  -lf FILE   lease database (default /var/lib/dhcp/dhcpd.leases)
  -pf FILE   PID file (default /var/run/dhcpd.pid); --no-pid writes none
  -p PORT    listen on PORT, reply to clients on PORT+1
  -f         stay in the foreground
  -d         log to stderr (implies -f)
  -user U    run as user U once sockets and files are open (also -group G)
  --history-days N  days of lease history kept in LEASES.history (default 30; 0: none)
  -q         quiet: no banner
  -t         test the configuration file and exit
  -T         test the lease database and exit
  --http ADDR:PORT     serve the HTTP API and /metrics (without --http-tokens: loopback only)
  --http-tokens FILE   lines "ROLE TOKEN" (read, admin); requests then need "Authorization: Bearer TOKEN"
  --http-cert FILE --http-key FILE   serve HTTPS
`;

export function parseDhcpdFlags(args: readonly string[]): FlagsResult {
  const flags: DhcpdFlags = { ...DHCPD_DEFAULTS, interfaces: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string | undefined => {
      const v = args[i + 1];
      if (v === undefined) return undefined;
      i++;
      return v;
    };
    switch (a) {
      case '-h':
      case '--help':
        return { ok: false, help: true };
      case '-cf':
      case '-lf':
      case '-pf': {
        const v = value();
        if (v === undefined) return { ok: false, error: `${a} requires a file name` };
        if (a === '-cf') flags.configFile = v;
        else if (a === '-lf') flags.leaseFile = v;
        else flags.pidFile = v;
        break;
      }
      case '-p': {
        const v = value();
        const n = v === undefined ? Number.NaN : Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 65534)
          return { ok: false, error: `-p requires a port number (1-65534)` };
        flags.port = n;
        break;
      }
      case '--history-days': {
        const v = value();
        const n = v === undefined ? Number.NaN : Number(v);
        if (!Number.isInteger(n) || n < 0 || n > 3650)
          return { ok: false, error: '--history-days requires a number of days (0-3650)' };
        flags.historyDays = n;
        break;
      }
      case '-user':
      case '-group': {
        const v = value();
        if (v === undefined || v === '') return { ok: false, error: `${a} requires a name` };
        if (a === '-user') flags.user = v;
        else flags.group = v;
        break;
      }
      case '--http':
      case '--http-tokens':
      case '--http-cert':
      case '--http-key': {
        const v = value();
        if (v === undefined || v === '') {
          return { ok: false, error: `${a} requires ${a === '--http' ? 'ADDR:PORT' : 'a file name'}` };
        }
        if (a === '--http') {
          const listen = parseListen(v);
          if ('error' in listen) return { ok: false, error: listen.error };
          flags.http = v;
        } else if (a === '--http-tokens') flags.httpTokens = v;
        else if (a === '--http-cert') flags.httpCert = v;
        else flags.httpKey = v;
        break;
      }
      case '-chroot':
        return {
          ok: false,
          error: '-chroot is not supported; run Leasehold in a container or with systemd sandboxing',
        };
      case '--no-pid':
        flags.noPid = true;
        break;
      case '-f':
        flags.foreground = true;
        break;
      case '-d':
        flags.debug = true;
        flags.foreground = true;
        break;
      case '-q':
        flags.quiet = true;
        break;
      case '-t':
        flags.testConfig = true;
        break;
      case '-T':
        flags.testLeases = true;
        break;
      case '-4':
        // DHCPv4 is the only mode; accepted for compatibility with dhcpd command lines.
        break;
      case '-6':
        return { ok: false, error: '-6: Leasehold serves DHCPv4 only' };
      default:
        if (a.startsWith('-')) return { ok: false, error: `unknown flag ${a}` };
        flags.interfaces.push(a);
    }
  }
  if (flags.http === undefined) {
    const stray = [
      ['--http-tokens', flags.httpTokens],
      ['--http-cert', flags.httpCert],
      ['--http-key', flags.httpKey],
    ].find(([, v]) => v !== undefined);
    if (stray !== undefined) return { ok: false, error: `${stray[0]} needs --http ADDR:PORT` };
  }
  if ((flags.httpCert === undefined) !== (flags.httpKey === undefined)) {
    return { ok: false, error: '--http-cert and --http-key go together' };
  }
  return { ok: true, flags };
}
