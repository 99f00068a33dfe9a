// The shared contract of the option layer: how an option's format is described (the types of
// dhcp-options(5) "DEFINING NEW OPTIONS" plus the built-in formats ISC uses internally) and what a
// decoded, typed value looks like. The wire, conf, server, client, relay and shell layers all speak
// these types; nothing outside src/options/ re-implements them.

export type IntegerBits = 8 | 16 | 32;

/** The format of an option's data. */
export type OptionType =
  | { kind: 'ip-address' }
  | { kind: 'ip6-address' }
  | { kind: 'integer'; bits: IntegerBits; signed: boolean }
  /** ISC `T`: unsigned 32-bit seconds; all ones prints as `infinite` (server space, e.g. default-lease-time). */
  | { kind: 'lease-time' }
  /** ISC `N`: a named enumeration (ddns-update-style, log-facility, dhcp6 status-code). */
  | { kind: 'enumeration'; enumeration: Enumeration }
  | { kind: 'boolean' }
  /**
   * NVT ASCII text (ISC `text`). The value is a byte string: one JS char per octet (latin1), as ISC
   * treats text as octets; chars above U+00FF are a programming error.
   */
  | { kind: 'text' }
  /** ISC `U`: the name of an option space, written bare (server space `vendor-option-space`). */
  | { kind: 'space-name' }
  /** ISC `k`: a key name, written bare like a host name (server space `omapi-key`). */
  | { kind: 'key-name' }
  /** Data string (ISC `string`): quoted text or colon-separated hex octets. */
  | { kind: 'string' }
  /** One domain name, RFC 1035 wire form. */
  | { kind: 'domain-name' }
  /** A list of domain names (option 119 and similar); `compressed` uses RFC 1035 pointers on encode. */
  | { kind: 'domain-list'; compressed: boolean }
  /** RFC 3442 destination descriptor + router, as an element of classless static routes. */
  | { kind: 'classless-route' }
  /** No data at all (ISC `zerolen`). */
  | { kind: 'zero-length' }
  /**
   * The data is a block of options of another option space (`encapsulate SPACE`). The empty space
   * name is ISC's `E.`: the vendor space chosen by `vendor-option-space` (option 43).
   */
  | { kind: 'encapsulate'; space: string }
  /** A fixed sequence of fields; the last one may be an array. */
  | { kind: 'record'; fields: OptionType[] }
  /** Zero or more repetitions of one element type. */
  | { kind: 'array'; of: OptionType };

/** One named value of an enumeration. */
export interface EnumerationValue {
  name: string;
  value: number;
}

/** An ISC enumeration (`struct enumeration`): a name, a width on the wire and its named values. */
export interface Enumeration {
  name: string;
  bits: IntegerBits;
  values: readonly EnumerationValue[];
}

/** RFC 3442 route: destination/prefix via router. */
export interface ClasslessRoute {
  destination: string;
  prefixLength: number;
  router: string;
}

/** One option inside an encapsulated block. */
export interface EncapsulatedOption {
  code: number;
  /** Typed when the space knows the code, else the raw bytes. */
  value: OptionValue;
}

/**
 * A typed option value. Which variant applies is given by the OptionType it belongs to:
 * ip-address/ip6-address/text/domain-name/space-name/key-name -> string; integer/lease-time -> number;
 * enumeration -> string (the value's name; a number when the enumeration has no name for it);
 * boolean -> boolean; string -> Uint8Array; domain-list -> string[]; classless-route -> ClasslessRoute;
 * zero-length -> true; encapsulate -> EncapsulatedOption[] (encode also takes the raw block as a
 * Uint8Array); record and array -> OptionValue[].
 */
export type OptionValue =
  | string
  | number
  | boolean
  | true
  | Uint8Array
  | string[]
  | ClasslessRoute
  | EncapsulatedOption[]
  | OptionValue[];

/** An option space: ISC's `option space NAME code width N length width M [hash size H];`. */
export interface OptionSpace {
  name: string;
  codeWidth: 1 | 2 | 4;
  lengthWidth: 0 | 1 | 2;
}

/** One option of the catalogue, built in or user-defined. */
export interface OptionDef {
  space: string;
  name: string;
  code: number;
  type: OptionType;
  /** True when defined by the configuration (`option NAME code N = TYPE;`), not built in. */
  userDefined: boolean;
}

/** A decode or parse failure, with a message that says what was wrong. */
export interface OptionError {
  ok: false;
  error: string;
}
export type OptionResult<T> = { ok: true; value: T } | OptionError;
