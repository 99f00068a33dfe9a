// `leasehold client`: the dhclient replacement, with dhclient(8)'s flags and Debian's default paths.
// Unlike ISC, the client never forks into the background: without -d it still runs in the foreground (run it
// under systemd, ifupdown's `iface eth0 inet dhcp` with a supervisor, or `&`). -d keeps its ISC meaning of
// "stay in the foreground", which is then always true.
import { parseIpv4 } from '../wire/index.js';

export interface ClientFlags {
  configFile: string;
  leaseFile: string;
  pidFile: string | undefined;
  script: string | undefined;
  port: number;
  server: number | undefined;
  debug: boolean;
  verbose: boolean;
  quiet: boolean;
  oneTry: boolean;
  release: boolean;
  exit: boolean;
  noPacket: boolean;
  interfaces: string[];
}

export const CLIENT_USAGE = `usage: leasehold client [-d] [-v] [-1] [-r | -x] [-q] [-cf CONF] [-lf LEASES] [-pf PID]
                        [-sf SCRIPT] [-p PORT] [-s SERVER] [IFACE ...]
  -cf FILE    dhclient.conf (default /etc/dhcp/dhclient.conf; missing: defaults)
  -lf FILE    lease file (default /var/lib/dhcp/dhclient.leases)
  -pf FILE    PID file (default /run/dhclient.pid); --no-pid writes none
  -sf FILE    dhclient-script (default /sbin/dhclient-script if present, else the built-in
              one; "-sf builtin" forces the built-in one)
  -p PORT     listen on PORT, send to servers on PORT-1 (default 68)
  -s SERVER   send what would be broadcast to SERVER instead
  -1          try once: exit 2 if no lease is obtained
  -r          release the current lease (DHCPRELEASE, RELEASE script) and stop a running client
  -x          stop a running client without releasing (STOP script)
  -d          stay in the foreground (Leasehold's client always does; see the README)
  -v          verbose      -q  quiet
  --no-packet never use packet sockets (UDP fallback)
`;

export type ClientFlagsResult =
  | { ok: true; flags: ClientFlags }
  | { ok: false; error: string }
  | { ok: false; help: true };

export function parseClientFlags(args: readonly string[]): ClientFlagsResult {
  const f: ClientFlags = {
    configFile: '/etc/dhcp/dhclient.conf',
    leaseFile: '/var/lib/dhcp/dhclient.leases',
    pidFile: '/run/dhclient.pid',
    script: undefined,
    port: 68,
    server: undefined,
    debug: false,
    verbose: false,
    quiet: false,
    oneTry: false,
    release: false,
    exit: false,
    noPacket: false,
    interfaces: [],
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string | undefined => args[++i];
    switch (a) {
      case '-h':
      case '--help':
        return { ok: false, help: true };
      case '-cf':
      case '-lf':
      case '-pf':
      case '-sf':
      case '-p':
      case '-s': {
        const v = value();
        if (v === undefined) return { ok: false, error: `${a} needs a value` };
        if (a === '-cf') f.configFile = v;
        else if (a === '-lf') f.leaseFile = v;
        else if (a === '-pf') f.pidFile = v;
        else if (a === '-sf') f.script = v;
        else if (a === '-p') {
          const n = Number(v);
          if (!Number.isInteger(n) || n < 2 || n > 65535) return { ok: false, error: `bad port ${v}` };
          f.port = n;
        } else {
          const ip = parseIpv4(v);
          if (ip === undefined) return { ok: false, error: `-s needs an IPv4 address, not ${v}` };
          f.server = ip;
        }
        break;
      }
      case '--no-pid':
        f.pidFile = undefined;
        break;
      case '--no-packet':
        f.noPacket = true;
        break;
      case '-d':
        f.debug = true;
        break;
      case '-v':
        f.verbose = true;
        break;
      case '-q':
        f.quiet = true;
        break;
      case '-1':
        f.oneTry = true;
        break;
      case '-r':
        f.release = true;
        break;
      case '-x':
        f.exit = true;
        break;
      default:
        if (a.startsWith('-')) return { ok: false, error: `unknown flag ${a}` };
        f.interfaces.push(a);
    }
  }
  if (f.release && f.exit) return { ok: false, error: '-r and -x cannot be used together' };
  return { ok: true, flags: f };
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseClientFlags(args);
  if (!parsed.ok) {
    if ('help' in parsed) {
      process.stdout.write(CLIENT_USAGE);
      return 0;
    }
    process.stderr.write(`leasehold client: ${parsed.error}\n${CLIENT_USAGE}`);
    return 2;
  }
  const f = parsed.flags;
  // Loaded here so that `--help` and flag errors need none of the daemon's modules.
  const { runClientDaemon } = await import('../client/daemon.js');
  return runClientDaemon({
    interfaces: f.interfaces,
    configFile: f.configFile,
    leaseFile: f.leaseFile,
    pidFile: f.pidFile,
    script: f.script,
    port: f.port,
    ...(f.server !== undefined ? { server: f.server } : {}),
    oneTry: f.oneTry,
    mode: f.release ? 'release' : f.exit ? 'stop' : 'run',
    quiet: f.quiet && !f.verbose,
    verbose: f.verbose,
    noPacket: f.noPacket,
  });
}
