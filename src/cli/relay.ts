// `leasehold relay`: the dhcrelay replacement (IPv4), with dhcrelay's flags, meanings and defaults
// (dhcrelay(8)): -i/-iu/-id IF, -a, -A LEN, -c COUNT, -m MODE, -D, -U IF, -g ADDR, -p PORT, -d, -q, -pf FILE,
// --no-pid and the servers; and Leasehold's own --circuit-id IF=VALUE, --remote-id [IF=]VALUE
// (src/relay/agent-ids.ts) and --server-id-override (RFC 5107). Runs until SIGTERM or SIGINT, which log the
// counters, close the sockets and remove the PID file. Without -d it goes to the background once ready, as
// dhcrelay does.

import { lookup } from 'node:dns/promises';
import {
  type AgentIds,
  addCircuitId,
  addRemoteId,
  agentLengthError,
  emptyAgentIds,
  IFNAME_MAX,
} from '../relay/agent-ids.js';
import { DHCP_MTU_MAX } from '../relay/agent-options.js';
import { startRelay } from '../relay/daemon-start.js';
import { RELAY_DEFAULTS, type RelaySettings } from '../relay/engine.js';
import { streamLogger } from '../server/daemon-log.js';
import { parseIpv4 } from '../wire/ip.js';
import { isBackgroundCopy, reportReady, startInBackground } from './background.js';
import { untilSignal } from './until-signal.js';

export interface RelayFlags {
  interfaces: { name: string; upstream: boolean; downstream: boolean }[];
  addAgentOptions: boolean;
  maxPacketSize: number;
  maxHops: number;
  agentMode: RelaySettings['agentMode'];
  dropMismatches: boolean;
  /** -U: the uplink interface (RFC 3527 link selection). */
  uplink?: string;
  /** -g: the giaddr replies to clients carry. */
  fakeGateway?: number;
  /** --circuit-id, --remote-id (Leasehold extensions). */
  agentIds: AgentIds;
  /** --server-id-override (RFC 5107, a Leasehold extension). */
  serverIdOverride: boolean;
  port: number;
  debug: boolean;
  quiet: boolean;
  pidFile: string;
  noPid: boolean;
  servers: string[];
}

export const RELAY_USAGE = `usage: leasehold relay [-d] [-q] [-a] [-D] [-A LENGTH] [-c HOPS] [-p PORT]
                       [-pf PIDFILE] [--no-pid] [-m append|replace|forward|discard]
                       [-i IF ...] [-iu IF ...] [-id IF ...] [-U IF] [-g ADDRESS]
                       [--circuit-id IF=VALUE ...] [--remote-id [IF=]VALUE ...]
                       [--server-id-override] SERVER ...
  -i IF      relay on IF both ways; -iu IF upstream only (replies); -id IF downstream only (requests)
  -a         add relay agent information (option 82, circuit-id = interface name); strip it from replies
  -A LENGTH  largest packet option 82 may grow a request to (default 576)
  -c HOPS    drop requests that have come through HOPS relays (default 10)
  -m MODE    request that already has option 82 (with -a): append, replace (default), forward, discard
  -D         drop replies whose option 82 is not ours (with -a)
  -U IF      RFC 3527: requests from directly connected clients get a link-selection sub-option (the
             receiving interface's address) and giaddr = IF's address; implies -a; IF is relayed on as with -i
  -g ADDRESS replies sent to clients carry giaddr ADDRESS (for clients that take giaddr as their router)
Leasehold extensions (ISC dhcrelay has no IPv4 flag for these); each turns on -a:
  --circuit-id IF=VALUE   circuit-id (sub-option 1) for IF instead of its name; replies are matched by it
  --remote-id VALUE       remote-id (sub-option 2) on every interface; IF=VALUE: on IF only (wins over VALUE)
             VALUE is text, or hex bytes written 0x0a1b2c or 0a:1b:2c; 1 to 255 bytes
  --server-id-override    RFC 5107: add sub-option 11 = the receiving interface's address (clients then
             renew by unicast to the relay, which relays it); the server must support RFC 5107
  -p PORT    listen on PORT and send to servers on PORT; clients are answered on PORT+1 (default 67)
  -d         stay in the foreground, log to stderr
  -q         quiet: no banner
  -pf FILE   PID file (default /var/run/dhcrelay.pid, written when not -d); --no-pid writes none
`;

export type RelayFlagsResult =
  | { ok: true; flags: RelayFlags }
  | { ok: false; error: string }
  | { ok: false; help: true };

export function parseRelayFlags(args: readonly string[]): RelayFlagsResult {
  const flags: RelayFlags = {
    interfaces: [],
    addAgentOptions: false,
    maxPacketSize: RELAY_DEFAULTS.maxPacketSize,
    maxHops: RELAY_DEFAULTS.maxHops,
    agentMode: RELAY_DEFAULTS.agentMode,
    dropMismatches: false,
    agentIds: emptyAgentIds(),
    serverIdOverride: false,
    port: 67,
    debug: false,
    quiet: false,
    pidFile: process.env.PATH_DHCRELAY_PID ?? '/var/run/dhcrelay.pid',
    noPid: false,
    servers: [],
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string | undefined => args[++i];
    const need = (): string => {
      const v = value();
      if (v === undefined) throw new Error(`No argument for command: ${a}`);
      return v;
    };
    try {
      switch (a) {
        case '-h':
        case '--help':
          return { ok: false, help: true };
        case '-4':
          break;
        case '-d':
          flags.debug = true;
          break;
        case '-q':
          flags.quiet = true;
          break;
        case '-a':
          flags.addAgentOptions = true;
          break;
        case '-D':
          flags.dropMismatches = true;
          break;
        case '-i':
        case '-iu':
        case '-id':
          flags.interfaces.push({ name: need(), upstream: a !== '-id', downstream: a !== '-iu' });
          break;
        case '-U': {
          const name = need();
          if (flags.uplink !== undefined) throw new Error(`more than one uplink (-U) specified: ${name}`);
          if (Buffer.byteLength(name) > IFNAME_MAX) {
            throw new Error(`${name}: uplink name too long, it cannot exceed: ${IFNAME_MAX} characters`);
          }
          flags.uplink = name;
          flags.addAgentOptions = true; // as dhcrelay: -U turns on -a
          flags.interfaces.push({ name, upstream: true, downstream: true });
          break;
        }
        case '-g': {
          const text = need();
          const gw = parseIpv4(text);
          if (gw === undefined) throw new Error(`Invalid gateway address '${text}'`);
          flags.fakeGateway = gw;
          break;
        }
        case '--circuit-id':
          addCircuitId(flags.agentIds, need());
          flags.addAgentOptions = true;
          break;
        case '--remote-id':
          addRemoteId(flags.agentIds, need());
          flags.addAgentOptions = true;
          break;
        case '--server-id-override':
          flags.serverIdOverride = true;
          flags.addAgentOptions = true;
          break;
        case '-A': {
          const n = Number.parseInt(need(), 10);
          if (!Number.isFinite(n) || n > DHCP_MTU_MAX)
            throw new Error(`${args[i]}: packet length exceeds longest possible MTU`);
          flags.maxPacketSize = n;
          break;
        }
        case '-c': {
          const n = Number.parseInt(need(), 10);
          if (!Number.isInteger(n) || n < 0 || n > 255) throw new Error(`Bad hop count to -c: ${args[i]}`);
          flags.maxHops = n;
          break;
        }
        case '-m': {
          const m = need().toLowerCase();
          if (m !== 'append' && m !== 'replace' && m !== 'forward' && m !== 'discard') {
            throw new Error(`Unknown argument to -m: ${args[i]}`);
          }
          flags.agentMode = m;
          break;
        }
        case '-p': {
          const text = need();
          const n = Number(text);
          if (!/^\d+$/.test(text) || n < 1 || n > 65534) throw new Error(`invalid port ${text}`);
          flags.port = n;
          break;
        }
        case '-pf':
          flags.pidFile = need();
          break;
        case '--no-pid':
          flags.noPid = true;
          break;
        default:
          if (a.startsWith('-')) throw new Error(`Unknown command: ${a}`);
          flags.servers.push(a);
      }
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }
  if (flags.servers.length === 0) return { ok: false, error: 'No servers specified.' };
  const tooLong = agentLengthError(flags.agentIds, {
    linkSelection: flags.uplink !== undefined,
    serverIdOverride: flags.serverIdOverride,
  });
  if (tooLong !== undefined) return { ok: false, error: tooLong };
  return { ok: true, flags };
}

/** Server addresses: dotted quads, else names through the resolver; an unknown name is said and skipped. */
async function resolveServers(names: readonly string[], say: (line: string) => void): Promise<number[]> {
  const out: number[] = [];
  for (const name of names) {
    let ip = parseIpv4(name);
    if (ip === undefined) {
      try {
        ip = parseIpv4((await lookup(name, { family: 4 })).address);
      } catch {
        ip = undefined;
      }
    }
    if (ip === undefined) say(`${name}: host unknown`);
    else out.push(ip);
  }
  return out;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseRelayFlags(args);
  if (!parsed.ok) {
    if ('help' in parsed) {
      process.stdout.write(RELAY_USAGE);
      return 0;
    }
    process.stderr.write(`leasehold relay: ${parsed.error}\n${RELAY_USAGE}`);
    return 2;
  }
  const flags = parsed.flags;
  const inBackground = isBackgroundCopy();
  if (!flags.debug && !inBackground) return startInBackground('relay', []);
  if (inBackground) process.stderr.on('error', () => undefined);
  const log = streamLogger({ bare: flags.debug, ident: 'dhcrelay' });
  process.on('exit', () => log.flush());
  const servers = await resolveServers(flags.servers, (line) => log.error(line));
  if (servers.length === 0) {
    log.error('No servers specified.');
    return 1;
  }
  const started = await startRelay(
    {
      relay: {
        servers,
        maxHops: flags.maxHops,
        addAgentOptions: flags.addAgentOptions,
        maxPacketSize: flags.maxPacketSize,
        agentMode: flags.agentMode,
        dropMismatches: flags.dropMismatches,
        serverIdOverride: flags.serverIdOverride,
        ...(flags.uplink !== undefined ? { uplink: flags.uplink } : {}),
        ...(flags.fakeGateway !== undefined ? { fakeGateway: flags.fakeGateway } : {}),
      },
      interfaces: flags.interfaces,
      agentIds: flags.agentIds,
      port: flags.port,
      // dhcrelay writes its PID file only when it goes to the background.
      pidFile: flags.noPid || flags.debug ? undefined : flags.pidFile,
      quiet: flags.quiet,
      transport: process.env.LEASEHOLD_TRANSPORT === 'udp' ? 'udp' : 'auto',
    },
    { log },
  );
  if (!started.ok) return started.code;
  if (inBackground) {
    log.flush();
    reportReady();
  }
  const { relay } = started;
  return untilSignal(log, () => relay.stop());
}
