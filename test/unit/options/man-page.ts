// Reads the option synopses of dhcp-options(5) (test/fixtures/options/dhcp-options.5.txt): lines such as
//   option routers ip-address [, ip-address...  ];
//   option policy-filter ip-address ip-address
//                     [, ip-address ip-address...];
// in the sections that list the options of a space, and turns each format into an OptionType-like shape.
import type { OptionType } from '../../../src/options/types.js';

/** The manual's format, or null when it says "--never set--". */
export interface ManOption {
  space: string;
  name: string;
  text: string;
  type: OptionType | null;
}

const SECTIONS: Record<string, string> = {
  'STANDARD DHCPV4 OPTIONS': 'dhcp',
  'RELAY AGENT INFORMATION OPTION': 'agent',
  'THE CLIENT FQDN SUBOPTIONS': 'fqdn',
  'THE NETWARE/IP SUBOPTIONS': 'nwip',
  'STANDARD DHCPV6 OPTIONS': 'dhcp6',
};

/** The spaces whose options the manual lists. */
export const MAN_SPACES = Object.values(SECTIONS);

const WORDS: Record<string, OptionType> = {
  flag: { kind: 'boolean' },
  boolean: { kind: 'boolean' },
  uint8: { kind: 'integer', bits: 8, signed: false },
  uint16: { kind: 'integer', bits: 16, signed: false },
  uint32: { kind: 'integer', bits: 32, signed: false },
  int8: { kind: 'integer', bits: 8, signed: true },
  int16: { kind: 'integer', bits: 16, signed: true },
  int32: { kind: 'integer', bits: 32, signed: true },
  'ip-address': { kind: 'ip-address' },
  'ip6-address': { kind: 'ip6-address' },
  text: { kind: 'text' },
  string: { kind: 'string' },
  'domain-name': { kind: 'domain-name' },
  'domain-list': { kind: 'domain-list', compressed: false },
};

function word(w: string): OptionType {
  const t = WORDS[w];
  if (t) return t;
  // dhcp6.status-code and dhcp6.reconf-msg name their enumerations.
  if (w === 'status-code' || w === 'dhcpv6-message') {
    return { kind: 'enumeration', enumeration: { name: w, bits: 8, values: [] } };
  }
  throw new Error(`unknown format word in dhcp-options(5): ${w}`);
}

/** Parses a synopsis format ("ip-address [, ip-address... ]", "uint8 string", "status-code [ string ]"). */
export function parseManFormat(text: string): OptionType | null {
  if (text.includes('--never set--')) return null;
  const bracket = text.indexOf('[');
  const head = (bracket < 0 ? text : text.slice(0, bracket)).split(/\s+/).filter(Boolean).map(word);
  if (bracket >= 0) {
    const inner = text.slice(bracket + 1, text.lastIndexOf(']'));
    const repeated = inner.replace(/[.,]/g, ' ').split(/\s+/).filter(Boolean);
    if (!inner.includes(',')) {
      // "[ string ]": an optional last field, not a repetition.
      head.push(...repeated.map(word));
    } else if (repeated.length >= head.length) {
      return { kind: 'array', of: head.length === 1 ? (head[0] as OptionType) : { kind: 'record', fields: head } };
    } else {
      // The last field repeats: "boolean ip-address [, ip-address... ]".
      const last = head.pop() as OptionType;
      head.push({ kind: 'array', of: last });
    }
  }
  if (head.length === 0) return { kind: 'zero-length' };
  return head.length === 1 ? (head[0] as OptionType) : { kind: 'record', fields: head };
}

/** Every option synopsis of the manual, in page order. */
export function readManPage(text: string): ManOption[] {
  const lines = text.split('\n');
  const out: ManOption[] = [];
  let space: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^[A-Z]/.test(line)) {
      space = SECTIONS[line.trim()];
      continue;
    }
    const m = /^ {7}option\s+(\S+)(.*)$/.exec(line);
    if (!space || !m) continue;
    let rest = m[2] as string;
    // A synopsis may continue on more deeply indented lines starting with '['.
    while (!rest.includes(';') && /^\s{8,}\[/.test(lines[i + 1] ?? '')) rest += ` ${(lines[++i] as string).trim()}`;
    rest = rest.replace(/;.*$/, '').trim();
    const full = m[1] as string;
    const dot = full.indexOf('.');
    // In the DHCPv6 section two synopses omit the "dhcp6." prefix (nis-domain-name, nisp-domain-name).
    const [optSpace, name] = dot < 0 ? [space, full] : [full.slice(0, dot), full.slice(dot + 1)];
    out.push({ space: optSpace, name, text: rest, type: parseManFormat(rest) });
  }
  return out;
}
