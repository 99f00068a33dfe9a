// The syntax tree of ISC's configuration language (dhcpd.conf(5), dhcp-eval(5), dhclient.conf(5)).
// Every node carries the file, line and column of its first token. Option values are typed
// (OptionValue from the option catalogue), never raw text to be re-parsed later.
//
// The tree keeps the source structure: includes stay as nodes holding the included file's
// statements, so a tool can show where anything came from. The semantic pass (scope tree)
// flattens it.

import type { OptionType, OptionValue } from '../options/types.js';

export interface Pos {
  file: string;
  line: number;
  col: number;
}

// ---------------------------------------------------------------------------------------------
// Expressions (dhcp-eval(5))

export type BinaryOp =
  | 'equal'
  | 'not-equal'
  | 'regex-match'
  | 'iregex-match'
  | 'and'
  | 'or'
  | 'add'
  | 'subtract'
  | 'multiply'
  | 'divide'
  | 'remainder'
  | 'binary-and'
  | 'binary-or'
  | 'binary-xor';

/** Expressions without operands. */
export type NullaryOp =
  | 'hardware'
  | 'leased-address'
  | 'client-state'
  | 'filename'
  | 'server-name'
  | 'lease-time'
  | 'null'
  | 'host-decl-name'
  | 'static'
  | 'known'
  | 'gethostname';

export type Expr =
  | { op: 'const-data'; pos: Pos; data: Uint8Array /** set when written as a quoted string */; text?: string }
  | { op: 'const-int'; pos: Pos; value: number /** set for named constants such as NXDOMAIN or BOUND */; name?: string }
  | { op: 'option' | 'config-option' | 'exists'; pos: Pos; space: string; name: string; code: number }
  | { op: 'variable'; pos: Pos; name: string }
  | { op: 'defined'; pos: Pos; name: string }
  | { op: 'funcall'; pos: Pos; name: string; args: Expr[] }
  | { op: 'not'; pos: Pos; arg: Expr }
  | { op: BinaryOp; pos: Pos; left: Expr; right: Expr }
  | { op: NullaryOp; pos: Pos }
  | { op: 'check'; pos: Pos; collection: string }
  | { op: 'substring'; pos: Pos; expr: Expr; offset: Expr; length: Expr }
  | { op: 'suffix'; pos: Pos; expr: Expr; length: Expr }
  | { op: 'lcase' | 'ucase'; pos: Pos; expr: Expr }
  | { op: 'concat'; pos: Pos; args: Expr[] }
  | { op: 'binary-to-ascii'; pos: Pos; base: Expr; width: Expr; separator: Expr; buffer: Expr }
  | { op: 'reverse'; pos: Pos; width: Expr; buffer: Expr }
  | { op: 'pick-first-value'; pos: Pos; args: Expr[] }
  | { op: 'packet'; pos: Pos; offset: Expr; length: Expr }
  | { op: 'extract-int' | 'encode-int'; pos: Pos; expr: Expr; bits: 8 | 16 | 32 }
  | { op: 'host-lookup'; pos: Pos; hostname: string }
  | { op: 'v6relay'; pos: Pos; relay: Expr; option: Expr };

// ---------------------------------------------------------------------------------------------
// Option values

/** How an option statement is applied (`option` = supersede). */
export type OptionOp = 'supersede' | 'default' | 'prepend' | 'append' | 'send';

export interface OptionRef {
  space: string;
  name: string;
  code: number;
  type: OptionType;
}

/** One `option NAME VALUE;` (or supersede/default/prepend/append/send). */
export interface OptionStatement {
  kind: 'option';
  pos: Pos;
  op: OptionOp;
  option: OptionRef;
  /** The typed value when written as constants; absent for `= expression` and for `option foo;`. */
  value?: OptionValue;
  /** `option foo = expression;` */
  expr?: Expr;
  /** Host names (not addresses) that the value's ip-address fields name; resolved at run time. */
  hostnames?: string[];
}

/**
 * A dhcpd parameter: ISC's "server" option space (default-lease-time, ddns-update-style, ...).
 * `value` is typed: numbers for times and integers, booleans for flags, strings for text,
 * addresses and enumerations.
 */
export interface ParameterStatement {
  kind: 'parameter';
  pos: Pos;
  name: string;
  value?: string | number | boolean;
  expr?: Expr;
  hostnames?: string[];
}

// ---------------------------------------------------------------------------------------------
// Executable statements

export type LogPriority = 'fatal' | 'error' | 'debug' | 'info';

export type Executable =
  | OptionStatement
  | ParameterStatement
  | { kind: 'if'; pos: Pos; condition: Expr; then: Statement[]; else?: Statement[] }
  | { kind: 'on'; pos: Pos; events: ('commit' | 'release' | 'expiry' | 'transmission')[]; body?: Statement[] }
  | { kind: 'switch'; pos: Pos; expr: Expr; body: Statement[] }
  | { kind: 'case'; pos: Pos; expr: Expr }
  | { kind: 'default'; pos: Pos }
  | { kind: 'set' | 'define'; pos: Pos; name: string; expr: Expr }
  | { kind: 'define-function'; pos: Pos; name: string; params: string[]; body: Statement[] }
  | { kind: 'unset'; pos: Pos; name: string }
  | { kind: 'eval'; pos: Pos; expr: Expr }
  | { kind: 'execute'; pos: Pos; command: string; args: Expr[] }
  | { kind: 'log'; pos: Pos; priority: LogPriority; expr: Expr }
  | { kind: 'return'; pos: Pos; expr: Expr }
  | { kind: 'add'; pos: Pos; className: string }
  | { kind: 'break'; pos: Pos }
  | { kind: 'parse-vendor-option'; pos: Pos }
  | { kind: 'db-time-format'; pos: Pos; format: 'default' | 'local' }
  | { kind: 'allow-deny'; pos: Pos; flag: 'allow' | 'deny' | 'ignore'; what: AllowDenyKey }
  | ZoneDecl
  | KeyDecl;

export type AllowDenyKey =
  | 'bootp'
  | 'booting'
  | 'dynamic-bootp'
  | 'unknown-clients'
  | 'duplicates'
  | 'declines'
  | 'client-updates'
  | 'leasequery';

export interface KeyDecl {
  kind: 'key';
  pos: Pos;
  name: string;
  /** As written, normalised as ISC does (`hmac-md5` -> `hmac-md5.SIG-ALG.REG.INT.`). */
  algorithm?: string;
  secret?: Uint8Array;
}

export interface ZoneDecl {
  kind: 'zone';
  pos: Pos;
  /** Always ends with '.', as ISC stores it. */
  name: string;
  primary?: string[];
  secondary?: string[];
  primary6?: string[];
  secondary6?: string[];
  key?: string;
}

// ---------------------------------------------------------------------------------------------
// Declarations

/** Pool permit (`allow`/`deny` inside `pool { }`). */
export type Permit =
  | { type: 'known-clients' | 'unknown-clients' | 'authenticated-clients' | 'unauthenticated-clients' }
  | { type: 'all-clients' | 'dynamic-bootp-clients' }
  | { type: 'members-of'; className: string }
  | { type: 'after'; time: number };

export interface FailoverPeerDecl {
  kind: 'failover-peer';
  pos: Pos;
  name: string;
  role?: 'primary' | 'secondary';
  address?: string;
  port?: number;
  peerAddress?: string;
  peerPort?: number;
  maxResponseDelay?: number;
  peerMaxResponseDelay?: number;
  maxUnackedUpdates?: number;
  peerMaxUnackedUpdates?: number;
  mclt?: number;
  split?: number;
  hba?: Uint8Array;
  loadBalanceMaxSeconds?: number;
  maxLeaseMisbalance?: number;
  maxLeaseOwnership?: number;
  maxBalance?: number;
  minBalance?: number;
  autoPartnerDown?: number;
}

export type FailoverStateName =
  | 'unknown-state'
  | 'partner-down'
  | 'normal'
  | 'communications-interrupted'
  | 'conflict-done'
  | 'resolution-interrupted'
  | 'potential-conflict'
  | 'recover'
  | 'recover-wait'
  | 'recover-done'
  | 'shutdown'
  | 'paused'
  | 'startup';

export type Declaration =
  | { kind: 'include'; pos: Pos; path: string; body: Statement[] }
  | { kind: 'shared-network'; pos: Pos; name: string; body: Statement[] }
  | { kind: 'subnet'; pos: Pos; network: string; netmask: string; body: Statement[] }
  | { kind: 'pool'; pos: Pos; body: Statement[] }
  | {
      kind: 'group';
      pos: Pos;
      name?: string;
      body: Statement[];
      dynamic?: boolean;
      static?: boolean;
      deleted?: boolean;
    }
  | HostDecl
  | ClassDecl
  | { kind: 'range'; pos: Pos; dynamicBootp: boolean; low: string; high: string }
  | { kind: 'permit'; pos: Pos; allow: boolean; permit: Permit }
  | { kind: 'failover-ref'; pos: Pos; peer: string }
  | { kind: 'no-failover'; pos: Pos }
  | FailoverPeerDecl
  | {
      kind: 'failover-state';
      pos: Pos;
      peer: string;
      my?: { state: FailoverStateName; at?: number };
      partner?: { state: FailoverStateName; at?: number };
      mclt?: number;
    }
  | { kind: 'option-space'; pos: Pos; name: string; codeWidth: 1 | 2 | 4; lengthWidth: 1 | 2; hashSize?: number }
  | { kind: 'option-definition'; pos: Pos; space: string; name: string; code: number; type: OptionType }
  | { kind: 'authoritative'; pos: Pos; value: boolean }
  | { kind: 'hardware'; pos: Pos; hwType: string; address: Uint8Array }
  | { kind: 'fixed-address'; pos: Pos; addresses: string[] }
  | { kind: 'interface'; pos: Pos; name: string }
  | { kind: 'server-duid'; pos: Pos; text: string }
  | { kind: 'lease-id-format'; pos: Pos; format: 'octal' | 'hex' };

export interface HostDecl {
  kind: 'host';
  pos: Pos;
  name: string;
  body: Statement[];
  /** `uid` as bytes (a quoted string's bytes, or the hex list). */
  uid?: Uint8Array;
  hostIdentifier?: { option: OptionRef; value: OptionValue; v6relopt?: number };
  /** `group "name";` inside the host: the named group it inherits from. */
  namedGroup?: string;
  dynamic?: boolean;
  deleted?: boolean;
}

export interface ClassDecl {
  kind: 'class' | 'subclass' | 'vendor-class' | 'user-class';
  pos: Pos;
  /** The class name; for a subclass, the parent class's name. */
  name: string;
  /** Subclass selector: the quoted string's or hex list's bytes. */
  selector?: Uint8Array;
  /** False for `subclass "c" "x";` with no body. */
  hasBody: boolean;
  body: Statement[];
  matchIf?: Expr;
  /** `match EXPR;` or `spawn with EXPR;` */
  submatch?: Expr;
  spawn?: boolean;
  leaseLimit?: number;
  dynamic?: boolean;
  deleted?: boolean;
}

// ---------------------------------------------------------------------------------------------
// dhclient.conf

export type ClientStatement =
  | { kind: 'request' | 'require'; pos: Pos; also: boolean; options: OptionRef[] }
  | {
      kind: 'timeout' | 'retry' | 'select-timeout' | 'reboot' | 'backoff-cutoff' | 'initial-interval' | 'initial-delay';
      pos: Pos;
      seconds: number;
    }
  | { kind: 'script'; pos: Pos; path: string }
  | { kind: 'media'; pos: Pos; media: string[] }
  | { kind: 'omapi-port'; pos: Pos; port: number }
  | { kind: 'do-forward-updates'; pos: Pos; value: boolean }
  | { kind: 'vendor-option-space'; pos: Pos; space: string }
  | { kind: 'interface-decl'; pos: Pos; name: string; pseudo?: string; body: Statement[] }
  | { kind: 'client-lease'; pos: Pos; alias: boolean; body: ClientLeaseItem[] }
  | { kind: 'reject'; pos: Pos; addresses: { address: string; prefix: number }[] }
  | { kind: 'auth-policy' | 'bootp-policy'; pos: Pos; policy: string };

export type ClientLeaseItem =
  | { kind: 'interface'; pos: Pos; name: string }
  | { kind: 'fixed-address'; pos: Pos; address: string }
  | { kind: 'filename' | 'server-name' | 'medium'; pos: Pos; value: string }
  | { kind: 'bootp'; pos: Pos }
  | { kind: 'renew' | 'rebind' | 'expire'; pos: Pos; time: number }
  | OptionStatement
  | { kind: 'key'; pos: Pos; name: string };

export type Statement = Declaration | Executable | ClientStatement;

/** A parsed file (the main configuration; includes are nested `include` nodes). */
export interface ConfFile {
  file: string;
  statements: Statement[];
}
