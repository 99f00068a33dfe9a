/**
 * The guard record that ties a DNS name to a DHCP client, computed exactly as ISC dhcpd 4.4.3 does
 * (common/dns.c get_std_dhcid / get_int_dhcid, server/ddns.c ddns_updates), so that names ISC created
 * stay ours after a migration and the other way round.
 */
import { createHash } from 'node:crypto';
import { nameToWire } from './names.js';

/** DHO_DHCP_CLIENT_IDENTIFIER: the identifier type ISC's interim style uses for any client id. */
const INTERIM_CLIENT_ID_TYPE = 61;

function checkType(type: number): void {
  if (!Number.isInteger(type) || type < 0 || type > 0xffff)
    throw new Error(`DHCID identifier type ${type} out of range`);
}

/**
 * RFC 4701 DHCID RDATA: identifier type (0 = htype+chaddr, 1 = client identifier, 2 = DUID from an
 * RFC 4361 client id), digest type 1, SHA-256(identifier || fqdn in wire form). Like ISC (ns_name_pton)
 * the name keeps its case, where RFC 4701 asks for the canonical lower-case form.
 */
export function standardDhcid(identifierType: number, identifier: Uint8Array, fqdn: string): Uint8Array {
  checkType(identifierType);
  const digest = createHash('sha256').update(identifier).update(nameToWire(fqdn)).digest();
  const out = Buffer.alloc(3 + digest.length);
  out.writeUInt16BE(identifierType, 0);
  out[2] = 1; // digest type SHA-256
  digest.copy(out, 3);
  return out;
}

const HEX = '0123456789abcdef';

/**
 * ISC's interim TXT value WITHOUT the DNS length byte (what ISC stores in the lease as ddns-txt):
 * 2 hex chars of the type + 32 hex chars of MD5(identifier). ISC writes the type's low digit as
 * `type % 15` instead of `type & 15` and kept it to match existing records, so type 61 gives "31".
 */
export function interimTxt(identifierType: number, identifier: Uint8Array): Uint8Array {
  checkType(identifierType);
  const digest = createHash('md5').update(identifier).digest('hex');
  const text = HEX[(identifierType >> 4) & 0xf]! + HEX[identifierType % 15]! + digest;
  return Buffer.from(text, 'ascii');
}

/**
 * Which identifier ISC uses for a lease (server/ddns.c): a non-empty client id first. In the standard
 * style an RFC 4361 client id (first octet 255: type, 4-octet IAID, DUID) gives type 2 and the DUID,
 * any other client id type 1; the interim style uses type 61 and the whole client id. Without a client
 * id, the hardware address: type 0 and the htype octet followed by chaddr. `undefined` when there is
 * nothing to use, or for an RFC 4361 client id shorter than 5 octets, where ISC gives up on DDNS.
 */
export function dhcidIdentifier(
  style: 'standard' | 'interim',
  clientId: Uint8Array | undefined,
  hardware: { type: number; address: Uint8Array } | undefined,
): { type: number; bytes: Uint8Array } | undefined {
  if (clientId && clientId.length > 0) {
    if (style === 'interim') return { type: INTERIM_CLIENT_ID_TYPE, bytes: clientId };
    if (clientId[0] === 255)
      return clientId.length < 5 ? undefined : { type: 2, bytes: new Uint8Array(clientId.subarray(5)) };
    return { type: 1, bytes: clientId };
  }
  if (!hardware) return undefined;
  const bytes = new Uint8Array(1 + hardware.address.length);
  bytes[0] = hardware.type;
  bytes.set(hardware.address, 1);
  return { type: 0, bytes };
}
