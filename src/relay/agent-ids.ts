// The circuit-ids and remote-ids the relay puts in option 82 (Leasehold extensions: ISC dhcrelay's IPv4
// side has no flag for either; it always sends the interface name as circuit-id and no remote-id).
//
//   --circuit-id IF=VALUE    circuit-id of IF instead of its name
//   --remote-id VALUE        remote-id (sub-option 2) on every interface
//   --remote-id IF=VALUE     remote-id on IF (over the one for every interface)
//
// VALUE is text (sent as its UTF-8 bytes), or bytes written in hex: `0x0a1b2c` or `0a:1b:2c`. A sub-option
// holds 1 to 255 bytes, and option 82 as a whole at most 255 (ISC's dhcrelay refuses to run otherwise:
// "Total agent option length(N) out of range"); both are checked when the flags are read. Pure.

/** What the flags said, per interface name and for every interface. */
export interface AgentIds {
  circuitIds: Map<string, Uint8Array>;
  remoteIds: Map<string, Uint8Array>;
  /** --remote-id VALUE without an interface. */
  remoteId?: Uint8Array;
}

export function emptyAgentIds(): AgentIds {
  return { circuitIds: new Map(), remoteIds: new Map() };
}

/** Linux's IFNAMSIZ less the terminating NUL: the longest interface name, so the longest default circuit-id. */
export const IFNAME_MAX = 15;
const SUB_MAX = 255;

/**
 * A sub-option's value: `0x` and an even number of hex digits, or hex bytes separated by colons (`aa:bb:cc`,
 * at least two), else the text's UTF-8 bytes. Throws when it is empty, malformed hex, or longer than 255.
 */
export function parseAgentValue(text: string, what: string): Uint8Array {
  let bytes: Uint8Array;
  if (/^0x/i.test(text)) {
    const hex = text.slice(2);
    if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) {
      throw new Error(`${what}: ${text} is not hex bytes (0x and an even number of hex digits)`);
    }
    bytes = new Uint8Array(Buffer.from(hex, 'hex'));
  } else if (/^[0-9a-f]{1,2}(?::[0-9a-f]{1,2})+$/i.test(text)) {
    bytes = new Uint8Array(text.split(':').map((b) => Number.parseInt(b, 16)));
  } else {
    bytes = new Uint8Array(Buffer.from(text, 'utf8'));
  }
  if (bytes.length < 1 || bytes.length > SUB_MAX) {
    throw new Error(`${what}: ${bytes.length} bytes; a ${what.replace(/^--/, '')} holds 1 to ${SUB_MAX} bytes`);
  }
  return bytes;
}

/** `IF=VALUE` split at the first `=`; undefined when there is none or IF is empty. */
function perInterface(arg: string): { name: string; value: string } | undefined {
  const at = arg.indexOf('=');
  if (at <= 0) return undefined;
  return { name: arg.slice(0, at), value: arg.slice(at + 1) };
}

function checkName(name: string, flag: string): void {
  if (Buffer.byteLength(name) > IFNAME_MAX) {
    throw new Error(`${flag} ${name}=...: an interface name has at most ${IFNAME_MAX} characters`);
  }
}

/** --circuit-id IF=VALUE; throws on a malformed argument, a second one for IF, or a value IF shares. */
export function addCircuitId(ids: AgentIds, arg: string): void {
  const p = perInterface(arg);
  if (p === undefined) throw new Error(`--circuit-id ${arg}: write IF=VALUE (the interface, then its circuit-id)`);
  checkName(p.name, '--circuit-id');
  if (ids.circuitIds.has(p.name)) throw new Error(`--circuit-id given twice for ${p.name}`);
  const value = parseAgentValue(p.value, '--circuit-id');
  for (const [other, v] of ids.circuitIds) {
    if (Buffer.compare(v, value) === 0) {
      throw new Error(`--circuit-id: ${other} and ${p.name} have the same circuit-id; replies could not be told apart`);
    }
  }
  ids.circuitIds.set(p.name, value);
}

/** --remote-id VALUE or IF=VALUE (a remote-id for every interface that contains `=` is written in hex). */
export function addRemoteId(ids: AgentIds, arg: string): void {
  const p = perInterface(arg);
  if (p === undefined) {
    if (ids.remoteId !== undefined) throw new Error('--remote-id given twice for every interface');
    ids.remoteId = parseAgentValue(arg, '--remote-id');
    return;
  }
  checkName(p.name, '--remote-id');
  if (ids.remoteIds.has(p.name)) throw new Error(`--remote-id given twice for ${p.name}`);
  ids.remoteIds.set(p.name, parseAgentValue(p.value, '--remote-id'));
}

/** The circuit-id of interface `name`: the one given, else its name (as ISC). */
export function circuitIdOf(ids: AgentIds, name: string): Uint8Array {
  return ids.circuitIds.get(name) ?? new Uint8Array(Buffer.from(name, 'latin1'));
}

export function remoteIdOf(ids: AgentIds, name: string): Uint8Array | undefined {
  return ids.remoteIds.get(name) ?? ids.remoteId;
}

/** Fixed-size sub-options the relay may add after circuit-id and remote-id (4-byte addresses). */
export interface AgentExtraSizes {
  linkSelection: boolean;
  serverIdOverride: boolean;
}

/**
 * Why option 82 could grow past 255 bytes on some interface, or undefined when it cannot: each interface
 * given an id, and any other (its name, up to 15 bytes, as circuit-id; the remote-id for every interface).
 */
export function agentLengthError(ids: AgentIds, extras: AgentExtraSizes): string | undefined {
  const fixed = (extras.linkSelection ? 6 : 0) + (extras.serverIdOverride ? 6 : 0);
  const total = (cid: number, rid: Uint8Array | undefined) =>
    2 + cid + (rid === undefined ? 0 : 2 + rid.length) + fixed;
  const named = new Set([...ids.circuitIds.keys(), ...ids.remoteIds.keys()]);
  const cases: [string, number][] = [...named].map((n) => [n, total(circuitIdOf(ids, n).length, remoteIdOf(ids, n))]);
  cases.push(['an interface named with 15 characters', total(IFNAME_MAX, ids.remoteId)]);
  for (const [where, n] of cases) {
    if (n > SUB_MAX) {
      return `relay agent information for ${where} would be ${n} bytes; option 82 holds at most ${SUB_MAX} (shorten --circuit-id or --remote-id)`;
    }
  }
  return undefined;
}
