// ISC result codes as OMAPI carries them in a status message's "result" value, with isc_result_totext()'s words
// (bind 9.11's lib/isc/result.c for ISC_R_*, omapip/result.c for DHCP_R_*, class 6 << 16). ISC's omshell prints
// these words: "can't open object: not found".

export const ISC_R = {
  SUCCESS: 0,
  NOMEMORY: 1,
  NOPERM: 6,
  NORESOURCES: 13,
  EXISTS: 18,
  NOTFOUND: 23,
  FAILURE: 25,
  IOERROR: 26,
  NOTIMPLEMENTED: 27,
  UNEXPECTED: 34,
} as const;

const DHCP = 6 << 16;

export const DHCP_R = {
  HOSTUNKNOWN: DHCP + 0,
  VERSIONMISMATCH: DHCP + 1,
  PROTOCOLERROR: DHCP + 2,
  INVALIDARG: DHCP + 3,
  NOTYET: DHCP + 4,
  UNCHANGED: DHCP + 5,
  MULTIPLE: DHCP + 6,
  KEYCONFLICT: DHCP + 7,
  BADPARSE: DHCP + 8,
  NOKEYS: DHCP + 9,
  KEY_UNKNOWN: DHCP + 10,
  INVALIDKEY: DHCP + 11,
  UNKNOWNATTRIBUTE: DHCP + 32,
} as const;

const ISC_TEXT: Record<number, string> = {
  0: 'success',
  1: 'out of memory',
  6: 'permission denied',
  13: 'not enough free resources',
  18: 'already exists',
  23: 'not found',
  25: 'failure',
  26: 'I/O error',
  27: 'not implemented',
  34: 'unexpected error',
};

const DHCP_TEXT = [
  'host unknown',
  'protocol version mismatch',
  'protocol error',
  'invalid argument',
  'data not yet available',
  'object unchanged',
  'more than one object matches key',
  'key conflict',
  'parse error(s) occurred',
  'no key specified',
  'zone TSIG key not known',
  'invalid TSIG key',
  'operation in progress',
  'DNS format error',
  'DNS server failed',
  'no such domain',
  'not implemented',
  'refused',
  'domain already exists',
  'RRset already exists',
  'no such RRset',
  'not authorized',
  'not a zone',
  'bad DNS signature',
  'bad DNS key',
  'clock skew too great',
  'no root zone',
  'destination address required',
  'cross-zone update',
  'no TSIG signature',
  'not equal',
  'connection reset by peer',
  'unknown attribute',
];

/** isc_result_totext() for the codes OMAPI uses; other codes as "result N". */
export function resultText(code: number): string {
  if (code >= DHCP && code < DHCP + DHCP_TEXT.length) return DHCP_TEXT[code - DHCP]!;
  return ISC_TEXT[code] ?? `result ${code}`;
}
