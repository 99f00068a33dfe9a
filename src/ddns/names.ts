/**
 * DNS names in wire form, and the reverse (PTR) name of an IPv4 address as ISC dhcpd builds it.
 * dns-packet reads names (compression pointers included); they are written here.
 */
import dnsPacket from 'dns-packet';

/** dns-packet's name codec: present at run time, missing from @types/dns-packet. */
interface NameCodec {
  encode: ((name: string) => Buffer) & { bytes: number };
  decode: ((buf: Buffer, offset: number) => string) & { bytes: number };
}
const nameCodec = (dnsPacket as unknown as { name: NameCodec }).name;

const MAX_LABEL = 63;
const MAX_NAME = 255;

/**
 * Uncompressed wire form, case kept (what ISC's ns_name_pton gives and what we send), with RFC 1035's limits:
 * no empty label, labels of at most 63 octets, at most 255 octets in all. Written here in one pass (every
 * ACK of a DDNS server digests its name): dns-packet's encoder allocates per label.
 */
export function nameToWire(name: string): Buffer {
  const body = name.endsWith('.') ? name.slice(0, -1) : name;
  if (body === '') return Buffer.from([0]);
  const text = Buffer.from(body, 'utf8');
  if (text.length + 2 > MAX_NAME)
    throw new Error(`DNS name "${name}" is ${text.length + 2} octets in wire form, more than ${MAX_NAME}`);
  const wire = Buffer.allocUnsafe(text.length + 2);
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && text[i] !== 0x2e) continue;
    const length = i - start;
    if (length === 0) throw new Error(`DNS name "${name}" has an empty label`);
    if (length > MAX_LABEL) {
      const label = text.subarray(start, i).toString('utf8');
      throw new Error(`DNS name "${name}": label "${label}" is ${length} octets, more than ${MAX_LABEL}`);
    }
    wire[start] = length;
    text.copy(wire, start + 1, start, i);
    start = i + 1;
  }
  wire[text.length + 1] = 0;
  return wire;
}

/**
 * RFC 4034 §6.2 canonical form (ASCII letters lowered), as TSIG digests the key and algorithm names.
 * Lowering every byte in A..Z is safe: length octets are at most 63, below 'A' (65).
 */
export function canonicalWire(name: string): Buffer {
  const wire = nameToWire(name);
  for (let i = 0; i < wire.length; i++) {
    const b = wire[i]!;
    if (b >= 0x41 && b <= 0x5a) wire[i] = b | 0x20;
  }
  return wire;
}

/** Decodes a name at `offset` (compression pointers followed); returns it with the octets it took there. */
export function readName(buf: Buffer, offset: number): { name: string; length: number } {
  const name = nameCodec.decode(buf, offset);
  return { name, length: nameCodec.decode.bytes };
}

/** True when two names are equal ignoring ASCII case and a trailing dot. */
export function sameName(a: string, b: string): boolean {
  const strip = (s: string) => (s.endsWith('.') ? s.slice(0, -1) : s).toLowerCase();
  return strip(a) === strip(b);
}

/**
 * ISC's reverse name: "d.c.b.a." followed by ddns-rev-domainname as configured (default "in-addr.arpa."),
 * e.g. 192.0.2.5 -> "5.2.0.192.in-addr.arpa.". `ip` is a host-order uint32.
 */
export function reverseName(ip: number, revDomain: string): string {
  const v = ip >>> 0;
  return `${v & 0xff}.${(v >>> 8) & 0xff}.${(v >>> 16) & 0xff}.${v >>> 24}.${revDomain}`;
}
