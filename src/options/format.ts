// Typed values as ISC DHCP prints them (common/options.c pretty_print_option):
//   'conf' - pretty_print_option(..., emit_commas=1, emit_quotes=1): dhclient.leases, the agent options of
//            dhcpd.leases, and text a dhcpd.conf parser reads back. Array elements are separated by a bare
//            comma ("192.0.2.1,192.0.2.2"), text is quoted, data strings are quoted text when printable, else
//            colon-separated hex without zero padding ("1:0:c:29:5d:a").
//   'env'  - pretty_print_option(..., 0, 0): the new_*/old_* variables of dhclient-script. Elements are
//            separated by a space ("17.72.133.42 17.72.133.45"), text is unquoted (still backslash-escaped),
//            domain lists are space-separated names with a trailing dot, as resolv.conf takes them.
// Fields of a record are separated by a space in both styles.
import { formatIPv6, parseIPv6Into } from './addresses.js';
import type { Catalogue } from './catalogue.js';
import { encodeOptionValue } from './codec.js';
import { nameText, parseName } from './domain.js';
import { enumerationName } from './enumerations.js';
import { iscEscape, isPrintable, latin1Bytes } from './octets.js';
import { writeClasslessRoute } from './routes.js';
import type { ClasslessRoute, OptionDef, OptionType, OptionValue } from './types.js';

export type FormatStyle = 'conf' | 'env';

/**
 * Formats a typed value the way ISC prints the same option data. Throws OptionValueError for a value of the
 * wrong shape where the output depends on the encoded octets (encapsulations), as encodeOptionValue does.
 */
export function formatOptionValue(type: OptionType, value: OptionValue, cat: Catalogue, style: FormatStyle): string {
  return format(type, value, cat, style === 'conf');
}

/** dhclient-script's variable name for an option (dhcp_option_ev_name): `routers`, `agent_circuit_id`. */
export function envVariableName(def: Pick<OptionDef, 'space' | 'name'>): string {
  const name = def.space === 'dhcp' ? def.name : `${def.space}_${def.name}`;
  return name.replaceAll('-', '_');
}

const SCRATCH = new Uint8Array(16);

function format(type: OptionType, v: OptionValue, cat: Catalogue, conf: boolean): string {
  switch (type.kind) {
    case 'ip-address':
      return String(v);
    case 'ip6-address':
      return typeof v === 'string' && parseIPv6Into(v, SCRATCH, 0) ? formatIPv6(SCRATCH, 0) : String(v);
    case 'integer':
      return String(v);
    case 'lease-time':
      return v === 0xffffffff ? 'infinite' : String(v);
    case 'enumeration':
      return typeof v === 'number' ? (enumerationName(type.enumeration, v) ?? String(v)) : String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'text':
    case 'key-name':
      return quoted(latin1Bytes(String(v)), conf);
    case 'space-name':
      return String(v);
    case 'string':
      return dataString(v as Uint8Array, conf);
    case 'zero-length':
      return '';
    case 'domain-name':
      return dottedLabels(String(v));
    case 'domain-list': {
      const names = v as string[];
      if (conf) return names.map((n) => `"${dottedLabels(n)}"`).join(', ');
      // MRns_name_ntop text plus the root dot ISC appends ("example.com."; the root alone prints "..").
      return names.map((n) => `${nameText(labelsOf(n)) || '.'}.`).join(' ');
    }
    case 'classless-route': {
      // Printed as its octets, exactly as ISC prints option 121 defined as `array of unsigned integer 8`,
      // which is what dhclient-script hooks parse.
      const r = v as ClasslessRoute;
      const bytes = new Uint8Array(9);
      const n = writeClasslessRoute(r, bytes, 0);
      return [...bytes.subarray(0, n)].join(conf ? ',' : ' ');
    }
    case 'encapsulate':
      // ISC prints an encapsulation as its raw data, like a data string.
      return dataString(encodeOptionValue(type, v, cat), conf);
    case 'record': {
      const values = v as OptionValue[];
      // ISC stops once the data is used up: trailing fields with no octets are not printed.
      let last = 0;
      for (let i = 0; i < values.length; i++) if (!isEmpty(type.fields[i] as OptionType, values[i])) last = i;
      const parts: string[] = [];
      for (let i = 0; i <= last && i < values.length; i++) {
        parts.push(format(type.fields[i] as OptionType, values[i] as OptionValue, cat, conf));
      }
      return parts.join(' ');
    }
    case 'array':
      return (v as OptionValue[]).map((e) => format(type.of, e, cat, conf)).join(conf ? ',' : ' ');
  }
}

/** pretty_text: ISC escapes, in double quotes for 'conf'. */
function quoted(bytes: Uint8Array, conf: boolean): string {
  const body = iscEscape(bytes, 0, bytes.length);
  return conf ? `"${body}"` : body;
}

/** ISC's `X`: text when every octet is printable (a trailing NUL allowed), else hex octets joined by ':'. */
function dataString(b: Uint8Array, conf: boolean): string {
  let k = 0;
  while (k < b.length && isPrintable(b[k] as number)) k++;
  if (k === b.length || (k + 1 === b.length && b[k] === 0)) return quoted(b, conf);
  const parts: string[] = [];
  for (let i = 0; i < b.length; i++) parts.push((b[i] as number).toString(16));
  return parts.join(':');
}

function labelsOf(name: string): Uint8Array[] {
  const labels = parseName(name);
  return typeof labels === 'string' ? [latin1Bytes(name)] : labels;
}

/** pretty_dname / pretty_domain: every label ISC-escaped and followed by a dot ("example.com."). */
function dottedLabels(name: string): string {
  let out = '';
  for (const l of labelsOf(name)) out += `${iscEscape(l, 0, l.length)}.`;
  return out;
}

function isEmpty(type: OptionType, v: OptionValue | undefined): boolean {
  if (v === undefined) return true;
  switch (type.kind) {
    case 'text':
    case 'key-name':
    case 'space-name':
      return v === '';
    case 'string':
      return v instanceof Uint8Array && v.length === 0;
    case 'zero-length':
      return true;
    case 'array':
    case 'domain-list':
      return Array.isArray(v) && v.length === 0;
    case 'encapsulate':
      return (v instanceof Uint8Array || Array.isArray(v)) && v.length === 0;
    default:
      return false;
  }
}
