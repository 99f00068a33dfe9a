// Option 81, client FQDN (RFC 4702), as ISC presents it: a virtual `fqdn` space whose sub-options are the
// fields of one flat option (ISC common/options.c fqdn_universe_decode / fqdn_option_space_encapsulate):
//   1 no-client-update (flags bit 0x02)   2 server-update (bit 0x01)   3 encoded (bit 0x04, name in DNS form)
//   4 rcode1   5 rcode2   6 hostname (first label)   7 domainname (the rest)   8 fqdn (the whole name)
// As in ISC, encoding uses only 1-5 and 8 (hostname and domainname are derived, read-only views), and the N bit
// (0x08) is not represented.
import type { Catalogue } from './catalogue.js';
import { OptionValueError } from './codec.js';
import { type Labels, nameText, parseName, writeName } from './domain.js';
import { firstNonOctet, latin1, latin1Bytes } from './octets.js';
import type { EncapsulatedOption } from './types.js';
import type { Writer } from './writer.js';

export const FQDN_NO_CLIENT_UPDATE = 1;
export const FQDN_SERVER_UPDATE = 2;
export const FQDN_ENCODED = 3;
export const FQDN_RCODE1 = 4;
export const FQDN_RCODE2 = 5;
export const FQDN_HOSTNAME = 6;
export const FQDN_DOMAINNAME = 7;
export const FQDN_FQDN = 8;

export function decodeFqdn(
  data: Uint8Array,
  start: number,
  end: number,
  _cat: Catalogue,
): EncapsulatedOption[] | string {
  if (end - start < 3) return 'fqdn option shorter than 3 octets';
  const flags = data[start] as number;
  const encoded = (flags & 4) !== 0;
  let host: string;
  let domain: string;
  let whole: string;
  if (encoded) {
    const labels: Labels = [];
    let pos = start + 3;
    while (pos < end) {
      const len = data[pos] as number;
      if (len === 0) {
        pos++;
        break;
      }
      if (len > 63) return 'fqdn: bad label length (compression is not allowed here)';
      if (pos + 1 + len > end) return 'fqdn: label runs past the end of the option';
      labels.push(data.subarray(pos + 1, pos + 1 + len));
      pos += 1 + len;
    }
    if (pos !== end) return 'fqdn: octets after the root label';
    host = labels.length > 0 ? nameText(labels.slice(0, 1)) : '';
    domain = nameText(labels.slice(1));
    whole = nameText(labels);
  } else {
    // Some broken clients NUL-terminate the name (ISC's comment); the NULs are not part of it.
    let nameEnd = end;
    while (nameEnd > start + 3 && data[nameEnd - 1] === 0) nameEnd--;
    whole = latin1(data, start + 3, nameEnd);
    const dot = whole.indexOf('.');
    host = dot < 0 ? whole : whole.slice(0, dot);
    domain = dot < 0 ? '' : whole.slice(dot + 1);
  }
  const out: EncapsulatedOption[] = [
    { code: FQDN_NO_CLIENT_UPDATE, value: (flags & 2) !== 0 },
    { code: FQDN_SERVER_UPDATE, value: (flags & 1) !== 0 },
    { code: FQDN_ENCODED, value: encoded },
    { code: FQDN_RCODE1, value: data[start + 1] as number },
    { code: FQDN_RCODE2, value: data[start + 2] as number },
  ];
  if (host) out.push({ code: FQDN_HOSTNAME, value: host });
  if (domain) out.push({ code: FQDN_DOMAINNAME, value: domain });
  if (whole) out.push({ code: FQDN_FQDN, value: whole });
  return out;
}

export function encodeFqdn(options: EncapsulatedOption[], _cat: Catalogue, w: Writer): void {
  let flags = 0;
  let rcode1 = 0;
  let rcode2 = 0;
  let name = '';
  let encoded = false;
  for (const { code, value } of options) {
    switch (code) {
      case FQDN_NO_CLIENT_UPDATE:
      case FQDN_SERVER_UPDATE:
      case FQDN_ENCODED:
        if (typeof value !== 'boolean') throw new OptionValueError(`fqdn sub-option ${code} is a flag`);
        if (value) flags |= code === FQDN_NO_CLIENT_UPDATE ? 2 : code === FQDN_SERVER_UPDATE ? 1 : 4;
        if (code === FQDN_ENCODED) encoded = value;
        break;
      case FQDN_RCODE1:
      case FQDN_RCODE2:
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 255) {
          throw new OptionValueError(`fqdn sub-option ${code} is an unsigned 8-bit integer`);
        }
        if (code === FQDN_RCODE1) rcode1 = value;
        else rcode2 = value;
        break;
      case FQDN_FQDN:
        if (typeof value !== 'string' || firstNonOctet(value) >= 0) throw new OptionValueError('fqdn.fqdn is text');
        name = value;
        break;
      case FQDN_HOSTNAME:
      case FQDN_DOMAINNAME:
        break; // derived from fqdn.fqdn, as in ISC
      default:
        throw new OptionValueError(`the fqdn space has no sub-option ${code}`);
    }
  }
  w.u8(flags);
  w.u8(rcode1);
  w.u8(rcode2);
  if (!name) return;
  if (!encoded) {
    w.bytes(latin1Bytes(name));
    return;
  }
  const labels = parseName(name);
  if (typeof labels === 'string') throw new OptionValueError(`fqdn.fqdn: ${labels}`);
  const size = labels.reduce((n, l) => n + l.length + 1, 1);
  w.ensure(size);
  w.len = writeName(labels, w.buf, w.len);
}
