// Token vocabulary of ISC's configuration lexer (common/conflex.c). Keywords are recognised
// case-insensitively, and only for tokens that start with a letter: ISC never interns a token
// that starts with a digit or '-', so `1a` is a hex-looking NUMBER_OR_NAME, never a keyword.

/** Token class tags; keywords use their lower-case spelling and punctuation its character. */
export type TokenTag = 'STRING' | 'NUMBER' | 'NUMBER_OR_NAME' | 'NAME' | 'EOF' | string;

export interface Token {
  /** 'STRING', 'NUMBER', 'NUMBER_OR_NAME', 'NAME', 'EOF', a keyword (lower case) or a punctuation character. */
  t: TokenTag;
  /** Token text as written (for STRING: the unescaped bytes, one char per byte). */
  text: string;
  line: number;
  col: number;
  /** Byte offset of the token's first character (used to detect adjacency, as ISC's raw tokens do). */
  offset: number;
  /** Offset just past the token. */
  end: number;
  /** A lexical error ISC reports when it scans this token (bad escape, unterminated string). */
  lexError?: string;
}

/** Every keyword of ISC DHCP 4.4's lexer (conflex.c intern()). */
const KEYWORD_LIST = `
abandoned active add address after algorithm alias all allow also and anycast-mac append array at atsfp
authoring-byte-order authenticated authentication authoritative auto-partner-down
backup bootp binding binary-to-ascii backoff-cutoff booting boot-unknown-clients break billing boolean balance
bound big-endian
case check ciaddr class clients client-hostname client-identifier client-state client-updates close cltt code
commit communications-interrupted compressed concat config-option conflict-done connect create
db-time-format domain domain-name domain-list do-forward-updates do-forward-update debug deny deleted delete
default default-duid default-lease-time dynamic dynamic-bootp dynamic-bootp-lease-cutoff
dynamic-bootp-lease-length duplicates declines defined define disconnect
extract-int exists expiry expire expired encode-int epoch ethernet ends else elsif error eval encapsulate execute en
fatal filename fixed-address fixed-address6 fixed-prefix6 fddi formerr function failover free
get-lease-hostnames gethostbyname gethostname giaddr group
hash hba host host-decl-name host-identifier hardware hostname help hex
ia-na ia-ta ia-pd iaaddr iaprefix include integer infiniband infinite info ip-address ip6-address
initial-interval initial-delay interface identifier if is ignore
known-clients known key key-algorithm
lcase lease lease6 leased-address lease-time leasequery length limit let load local log llt ll little-endian
lease-id-format
max max-balance max-lease-misbalance max-lease-ownership max-lease-time max-life max-transmit-idle
max-response-delay max-unacked-updates min-balance min-lease-time min-secs media medium match members my mclt
normal nameserver netmask never next-server not no noerror notauth notimp notzone nxdomain nxrrset null next new
omapi or on open option one-lease-per-client of owner octal
parse-vendor-option prepend preferred-life packet pool pool6 prefix6 pseudo peer primary primary6 partner
partner-down port potential-conflict pick-first-value pick paused
range range6 rebind reboot recontact-interval recover recover-done recover-wait refresh refused reject release
released remove renew request require reserved reset resolution-interrupted retry return reverse rewind
script search secondary secondary6 seconds secret select select-timeout send server server-duid server-name
server-identifier servfail set shared-network shutdown siaddr signed size space spawn split starts startup
state static string subclass subnet subnet6 substring suffix supersede switch
timestamp timeout token-ring text tstp tsfp transmission temporary
ucase unset unsigned uid user-class use-host-decl-names use-lease-addr-for-default-route unknown-clients
unknown-state unknown unauthenticated update
v6relay v6relopt vendor-class vendor
with width
yiaddr yxdomain yxrrset
zerolen zone
`;

export const KEYWORDS: ReadonlySet<string> = new Set(KEYWORD_LIST.split(/\s+/).filter((w) => w.length > 0));

/** Aliases the lexer maps onto one keyword (ISC returns the same token for both spellings). */
const KEYWORD_ALIASES: Record<string, string> = {
  pick: 'pick-first-value',
  'do-forward-update': 'do-forward-updates',
};

export function internKeyword(lower: string): string | undefined {
  if (!KEYWORDS.has(lower)) return undefined;
  return KEYWORD_ALIASES[lower] ?? lower;
}

const NON_KEYWORD_TAGS = new Set(['STRING', 'NUMBER', 'NUMBER_OR_NAME', 'NAME', 'EOF']);

export function isKeyword(tok: Token): boolean {
  return tok.t.length > 1 && !NON_KEYWORD_TAGS.has(tok.t);
}

/** ISC's is_identifier(): a NAME, a NUMBER_OR_NAME or any keyword. */
export function isIdentifier(tok: Token): boolean {
  return tok.t === 'NAME' || tok.t === 'NUMBER_OR_NAME' || isKeyword(tok);
}

/** The token's text, decoded from the file's bytes to a JS string (UTF-8 where valid). */
export function tokenString(tok: Token): string {
  return bytesToText(tok.text);
}

/** Interpret a one-char-per-byte string as UTF-8, falling back to the bytes as Latin-1. */
export function bytesToText(s: string): string {
  // Fast path: pure ASCII needs no conversion.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: checking for any non-ASCII byte
  if (!/[^\x00-\x7f]/.test(s)) return s;
  const bytes = Buffer.from(s, 'latin1');
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : s;
}

export function bytesOf(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}
