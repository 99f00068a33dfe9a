// RFC 3074 load balancing as ISC dhcpd 4.4.3 does it (server/failover.c loadb_p_hash,
// load_balance_mine, peer_wants_lease; server/confpars.c parse_failover_peer for `split`/`hba`).
// Why it is its own file: both partners must put every client in the same one of 256 hash
// buckets, bit for bit as ISC does, or a mixed ISC/Leasehold pair would both answer (or both
// ignore) a client. The facts that matter:
// - the hash bucket array (HBA) is 32 bytes; bucket b is bit (b & 7) of byte b >> 3, least
//   significant bit first. `split N` sets buckets 0..N-1. A set bit means "the primary serves it";
//   the secondary uses the primary's HBA (received in CONNECT) and inverts the answer.
// - the key is the client identifier option's bytes when the packet has one (even empty), else
//   the first hlen bytes of chaddr (not the hardware type).
// - `load balance max seconds` is compared with secs read in network byte order; a peer with 0
//   (ISC's default: the statement is optional and has no other default) answers every client.
// - it applies only in NORMAL (ISC's "cooperating" service state); elsewhere the caller decides
//   whether to answer at all.

import { standardCatalogue } from '../conf/catalogue.js';
import { ConfError } from '../conf/diagnostics.js';
import { parseNumericAggregate, parseSemi } from '../conf/parse-basic.js';
import { Cursor, newState } from '../conf/parser-core.js';
import { FAILOVER_HBA_SIZE } from './wire.js';

/** An HBA is 256 bits, one per hash bucket (32 bytes, as a CONNECT carries it). */
export const HBA_BYTES = FAILOVER_HBA_SIZE;

/** The mixing table of RFC 3074 section 6 (ISC's loadb_mx_tbl): a permutation of 0..255. */
const MIX = Uint8Array.from([
  251, 175, 119, 215, 81, 14, 79, 191, 103, 49, 181, 143, 186, 157, 0, 232, 31, 32, 55, 60, 152, 58, 17, 237, 174, 70,
  160, 144, 220, 90, 57, 223, 59, 3, 18, 140, 111, 166, 203, 196, 134, 243, 124, 95, 222, 179, 197, 65, 180, 48, 36, 15,
  107, 46, 233, 130, 165, 30, 123, 161, 209, 23, 97, 16, 40, 91, 219, 61, 100, 10, 210, 109, 250, 127, 22, 138, 29, 108,
  244, 67, 207, 9, 178, 204, 74, 98, 126, 249, 167, 116, 34, 77, 193, 200, 121, 5, 20, 113, 71, 35, 128, 13, 182, 94,
  25, 226, 227, 199, 75, 27, 41, 245, 230, 224, 43, 225, 177, 26, 155, 150, 212, 142, 218, 115, 241, 73, 88, 105, 39,
  114, 62, 255, 192, 201, 145, 214, 168, 158, 221, 148, 154, 122, 12, 84, 82, 163, 44, 139, 228, 236, 205, 242, 217, 11,
  187, 146, 159, 64, 86, 239, 195, 42, 106, 198, 118, 112, 184, 172, 87, 2, 173, 117, 176, 229, 247, 253, 137, 185, 99,
  164, 102, 147, 45, 66, 231, 52, 141, 211, 194, 206, 246, 238, 56, 110, 78, 248, 63, 240, 189, 93, 92, 51, 53, 183, 19,
  171, 72, 50, 33, 104, 101, 69, 8, 252, 83, 120, 76, 135, 85, 54, 202, 125, 188, 213, 96, 235, 136, 208, 162, 129, 190,
  132, 156, 38, 47, 1, 7, 254, 24, 4, 216, 131, 89, 21, 28, 133, 37, 153, 149, 80, 170, 68, 6, 169, 234, 151,
]);

/**
 * The bucket (0..255) of a key: Pearson's hash with RFC 3074's table, as loadb_p_hash. It starts
 * from the length (as an unsigned char) and walks the key from its last byte to its first.
 * `len` (default: all of `key`) lets a caller hash a prefix without making a subarray.
 */
export function loadBalanceHash(key: Uint8Array, len: number = key.length): number {
  let hash = len & 0xff;
  for (let i = len; i > 0; ) hash = MIX[hash ^ key[--i]!]!;
  return hash;
}

/** True when `bucket` is set in `hba`: the primary's bucket (ISC tests bit bucket & 7 of byte bucket >> 3). */
export function hbaBucketIsPrimary(hba: Uint8Array, bucket: number): boolean {
  return (hba[(bucket >> 3) & 0x1f]! & (1 << (bucket & 7))) !== 0;
}

/** The message ISC's parse_failover_peer gives for `split` above 256 (a negative N too: atoi into a u_int32_t). */
export const SPLIT_RANGE_ERROR = 'split must be between 0 and 256, inclusive';

/**
 * The HBA of `split N` (confpars.c): buckets 0..N-1 set, so the primary serves N/256 of the clients.
 * split 0 gives the secondary every client, 256 the primary every one, 128 each half, 255 the
 * primary all but bucket 255. Throws RangeError with ISC's message outside 0..256.
 */
export function makeHba(split: number): Uint8Array {
  if (!Number.isInteger(split) || split < 0 || split > 256) throw new RangeError(SPLIT_RANGE_ERROR);
  const hba = new Uint8Array(HBA_BYTES);
  for (let i = 0; i < split; i++) hba[i >> 3]! |= 1 << (i & 7);
  return hba;
}

/** The outcome of reading an `hba` value: the 32 bytes, or ISC's parse error. */
export type HbaParse = { hba: Uint8Array; error?: undefined } | { hba?: undefined; error: string };

/**
 * The value of `hba XX:XX:...;` (the text after `hba`, with or without its `;`), read as ISC reads
 * it: parse_numeric_aggregate for exactly 32 colon-separated hex bytes (fewer: "too few
 * numbers."; a byte above ff: "... exceeds max (255) for precision."), then a semicolon (a 33rd
 * byte: "semicolon expected."). ISC's "HBA must be exactly 32 bytes." cannot happen: the
 * aggregate stops at 32. Uses the configuration layer's own lexer and number reader.
 */
export function parseHba(text: string): HbaParse {
  const source = /;\s*$/.test(text) ? text : `${text};`;
  const p = new Cursor(
    'hba',
    source,
    newState('dhcpd', standardCatalogue(), () => undefined),
  );
  try {
    const bytes = parseNumericAggregate(p, HBA_BYTES, ':', 16, 8);
    parseSemi(p);
    return { hba: Uint8Array.from(bytes, (b) => b & 0xff) };
  } catch (e) {
    if (e instanceof ConfError) return { error: e.diagnostic.message };
    throw e;
  }
}

/**
 * An HBA received in a CONNECT (failover.c, on the secondary): it must be present and exactly 32
 * bytes, else ISC refuses the connection with "invalid HBA" (reject reason FTR_HBA_CONFLICT).
 * Returns that message, or undefined when the HBA is usable.
 */
export function connectHbaError(hba: Uint8Array | undefined): string | undefined {
  return hba !== undefined && hba.length === HBA_BYTES ? undefined : 'invalid HBA';
}

/** Everything load_balance_mine reads from the packet and the peer state. */
export interface LoadBalanceInput {
  /** The client identifier option's data (option 61), when the packet has it; used even when empty. */
  clientId?: Uint8Array | undefined;
  /** The packet's chaddr field. */
  chaddr: Uint8Array;
  /** The packet's hlen: how many chaddr bytes are hashed (default chaddr.length; ISC drops hlen > 16). */
  hlen?: number | undefined;
  /** The packet's secs field, read in network byte order (ISC ntohs). */
  secs: number;
  /** This server's role in the peer declaration. */
  role: 'primary' | 'secondary';
  /** The HBA: the primary's configured one, on the secondary the one from the primary's CONNECT. */
  hba: Uint8Array | undefined;
  /** `load balance max seconds` (0 when not configured: then every client is ours). */
  loadBalanceMaxSecs: number;
  /** ISC's service state is "cooperating" (our state NORMAL and the partner's not forcing silence). */
  stateIsNormal: boolean;
  /** `check-secs-byte-order` (a global dhcpd.conf option, default off). */
  checkSecsByteOrder?: boolean | undefined;
}

/**
 * Whether this server should answer the client (ISC load_balance_mine with its callers' guard):
 * - outside NORMAL load balancing does not apply: true (dhcpdiscover and bootp check
 *   `service_state == cooperating` before calling it);
 * - secs above `load balance max seconds`, or that setting 0: true;
 * - no HBA yet (a secondary before CONNECT): false;
 * - else the key's bucket: set means the primary's, the secondary answers the unset ones.
 * With check-secs-byte-order, a secs above 255 whose low byte is 0 is taken as byte-swapped.
 * The caller still answers a DISCOVER that is not ours when the peer has no free leases (ISC
 * "cancel load balance to peer"). Allocates nothing.
 */
export function loadBalanceMine(input: LoadBalanceInput): boolean {
  if (!input.stateIsNormal) return true;
  let ec = input.secs & 0xffff;
  if (input.checkSecsByteOrder === true && ec > 255 && (ec & 0xff) === 0) ec = ((ec >> 8) | (ec << 8)) & 0xffff;
  const max = input.loadBalanceMaxSecs;
  if (max === 0 || max < ec) return true;
  const hba = input.hba;
  if (hba === undefined) return false;
  const bucket =
    input.clientId !== undefined
      ? loadBalanceHash(input.clientId)
      : loadBalanceHash(input.chaddr, Math.min(input.hlen ?? input.chaddr.length, input.chaddr.length));
  const primaryServes = hbaBucketIsPrimary(hba, bucket);
  return input.role === 'primary' ? primaryServes : !primaryServes;
}

/** What peer_wants_lease reads of a lease. */
export interface LeaseIdentity {
  /** The client identifier the lease carries (ISC uid); used when not empty. */
  uid?: Uint8Array | undefined;
  /** The hardware address as ISC keeps it: type byte, then the address (hardware_addr.hbuf). */
  hardware?: Uint8Array | undefined;
}

/**
 * Whether the partner would serve this lease's client (ISC peer_wants_lease, used to give a FREE
 * lease to the secondary, or a BACKUP lease to the primary, for MAC affinity). False without an
 * HBA, or when the lease has neither a uid nor a hardware address of at least one byte after the
 * type. The hardware type byte is skipped so the key matches chaddr's.
 */
export function peerWantsLease(
  role: 'primary' | 'secondary',
  hba: Uint8Array | undefined,
  lease: LeaseIdentity,
): boolean {
  if (hba === undefined) return false;
  let bucket: number;
  if (lease.uid !== undefined && lease.uid.length > 0) bucket = loadBalanceHash(lease.uid);
  else if (lease.hardware !== undefined && lease.hardware.length > 1) bucket = hashAfterType(lease.hardware);
  else return false;
  const primaryServes = hbaBucketIsPrimary(hba, bucket);
  return role === 'primary' ? !primaryServes : primaryServes;
}

/** loadb_p_hash(hbuf + 1, hlen - 1) without a subarray. */
function hashAfterType(hw: Uint8Array): number {
  const len = hw.length - 1;
  let hash = len & 0xff;
  for (let i = len; i > 0; i--) hash = MIX[hash ^ hw[i]!]!;
  return hash;
}

/** dhcp_failover_sanity_check's notice for a peer without `load balance max seconds` (or with 0). */
export function loadBalanceDisabledWarning(peerName: string): string {
  return `WARNING: load balancing will be disabled for failover peer, ${peerName}, because its load balance max secs is 0`;
}
