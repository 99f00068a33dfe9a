// dhcpd.conf statements and declarations (confpars.c parse_statement and friends): include,
// shared-network, subnet, pool, group, host, class/subclass, range, failover, hardware,
// fixed-address, authoritative, option definitions and option statements. Each declaration
// tracks the scope it is in, because ISC allows different things in different scopes and
// words its errors accordingly.

import type { ClassDecl, Declaration, HostDecl, Pos, Statement } from './ast.js';
import { checkRange, checkSubnet, type SubnetInfo, subnetInfo } from './checks.js';
import { includeFile } from './include.js';
import { parseHostName, parseIp6Addr, parseIpAddr, parseNumericAggregate, parseSemi } from './parse-basic.js';
import { parseClassDeclaration } from './parse-class.js';
import { parseExecutableStatement } from './parse-executable.js';
import { requireDataExpression } from './parse-expressions.js';
import { parseFailoverPeer } from './parse-failover.js';
import {
  lookupOption,
  optionRef,
  parseOptionCodeDefinition,
  parseOptionData,
  parseOptionName,
  parseOptionSpaceDecl,
  parseOptionStatementTail,
} from './parse-options.js';
import { parsePool } from './parse-pool.js';
import type { Cursor } from './parser-core.js';
import { bytesOf, isIdentifier } from './tokens.js';

export type ScopeType = 'root' | 'host' | 'shared-network' | 'subnet' | 'class' | 'group' | 'pool';

export interface ShareInfo {
  name: string;
  subnets: SubnetInfo[];
  failoverPeer?: string;
}

/** Where a statement is parsed: ISC's group type plus the enclosing subnet and network. */
export interface Scope {
  type: ScopeType;
  host?: HostDecl;
  subnet?: SubnetInfo;
  share?: ShareInfo;
}

/** Parse statements until '}' (consumed) or end of file (an error). */
export function parseBody(p: Cursor, scope: Scope, out: Statement[]): void {
  let declaration = false;
  while (true) {
    const t = p.peek();
    if (t.t === '}') {
      p.next();
      return;
    }
    if (t.t === 'EOF') {
      p.next();
      p.fail('unexpected end of file');
    }
    declaration = parseStatement(p, scope, declaration, out);
  }
}

/** parse_statement(): one statement; returns ISC's "last was a declaration" flag. */
export function parseStatement(p: Cursor, scope: Scope, declaration: boolean, out: Statement[]): boolean {
  const tok = p.peek();
  const pos = p.pos(tok);
  const type = scope.type;
  switch (tok.t) {
    case 'include': {
      p.next();
      const f = p.next();
      if (f.t !== 'STRING') p.fail('filename string expected.');
      const body = includeFile(p, f, scope);
      parseSemi(p);
      out.push({ kind: 'include', pos, path: f.text, body });
      return true;
    }
    case 'host':
      p.next();
      if (type === 'host' || type === 'class') p.fail('host declarations not allowed here.');
      out.push(parseHost(p, pos, scope));
      return true;
    case 'group':
      p.next();
      if (type === 'host' || type === 'class') p.fail('group declarations not allowed here.');
      out.push(parseGroup(p, pos, scope));
      return true;
    case 'shared-network': {
      p.next();
      if (type === 'shared-network' || type === 'host' || type === 'subnet' || type === 'class') {
        p.fail('shared-network parameters not allowed here.');
      }
      out.push(parseSharedNetwork(p, pos, scope));
      return true;
    }
    case 'subnet':
    case 'subnet6': {
      p.next();
      if (type === 'host' || type === 'subnet' || type === 'class') p.fail('subnet declarations not allowed here.');
      if (tok.t === 'subnet6') {
        p.fail('subnet6 statement is only supported in DHCPv6 mode.', {
          hint: 'Leasehold serves DHCPv4 only; move DHCPv6 subnets to a DHCPv6 server configuration.',
        });
      }
      const share: ShareInfo = scope.share ?? { name: '', subnets: [] };
      out.push(parseSubnet(p, pos, scope, share));
      // A subnet outside a shared-network is its own (implicit) network.
      return scope.share === undefined;
    }
    case 'vendor-class':
    case 'user-class':
    case 'class':
    case 'subclass': {
      p.next();
      if (type === 'class') p.fail('class declarations not allowed here.');
      out.push(parseClassDeclaration(p, pos, tok.t, scope, parseStatement));
      return true;
    }
    case 'hardware': {
      p.next();
      if (scope.host?.body.some((s) => s.kind === 'hardware')) {
        p.fail(`Host ${scope.host.name} hardware address already configured.`);
      }
      const hw = parseHardware(p, pos);
      if (scope.host === undefined) p.fail('hardware address parameter not allowed here.');
      out.push(hw);
      return false;
    }
    case 'fixed-address':
    case 'fixed-address6': {
      p.next();
      const addresses: string[] = [];
      while (true) {
        addresses.push(tok.t === 'fixed-address' ? addressOrHost(p) : parseIp6Addr(p));
        if (p.peek().t !== ',') break;
        p.next();
      }
      parseSemi(p);
      if (scope.host === undefined) p.fail('fixed-address parameter not allowed here.');
      if (scope.host.body.some((s) => s.kind === 'fixed-address'))
        p.fail('Only one fixed address declaration per host.');
      out.push({ kind: 'fixed-address', pos, addresses });
      return false;
    }
    case 'pool':
      p.next();
      if (type === 'pool') p.fail('pool declared within pool.');
      if (type !== 'subnet' && type !== 'shared-network') p.fail('pool declared outside of network');
      out.push(parsePool(p, pos, scope, parseStatement));
      return declaration;
    case 'range': {
      p.next();
      if (type !== 'subnet' || scope.subnet === undefined) p.fail('range declaration not allowed here.');
      out.push(parseRange(p, pos, scope, undefined));
      return declaration;
    }
    case 'range6':
    case 'prefix6':
    case 'pool6':
    case 'fixed-prefix6':
      p.next();
      p.fail(`${tok.t} declaration not allowed here.`);
      break;
    case 'not': {
      p.next();
      if (p.next().t !== 'authoritative') p.fail('expecting assertion');
      if (type === 'host') p.fail('authority makes no sense here.');
      parseSemi(p);
      out.push({ kind: 'authoritative', pos, value: false });
      return false;
    }
    case 'authoritative':
      p.next();
      if (type === 'host') p.fail('authority makes no sense here.');
      parseSemi(p);
      out.push({ kind: 'authoritative', pos, value: true });
      return false;
    case 'server-identifier': {
      p.next();
      const r = lookupOption(p, 'dhcp', 'dhcp-server-identifier');
      if (r === undefined) p.fail('Server identifier not in hash.', { noLine: true });
      out.push(parseOptionStatementTail(p, pos, r, 'supersede', (q) => requireDataExpression(q)));
      return declaration;
    }
    case 'option':
      p.next();
      return parseOptionAtStatement(p, pos, scope, declaration, out);
    case 'failover': {
      if (type !== 'root' && type !== 'shared-network') {
        p.fail('failover peers may only be defined in shared-network', {
          hint: 'declarations and the outer scope.',
        });
      }
      p.next();
      const d = parseFailoverPeer(p, pos, type === 'root' ? 'root' : 'shared-network', (name) => {
        if (scope.share) scope.share.failoverPeer = name;
      });
      if (d) out.push(d);
      return false;
    }
    case 'lease-id-format': {
      p.next();
      const f = p.next();
      if (f.t !== 'octal' && f.t !== 'hex') p.fail('lease-id-format is invalid:  it must be octal or hex.');
      if (p.next().t !== ';') p.fail('corrupt lease file; expecting a semicolon');
      out.push({ kind: 'lease-id-format', pos, format: f.t });
      return false;
    }
    case '%':
      // ISC's migration assistant marker: skipped to the end of the statement.
      while (p.peek().t !== ';' && p.peek().t !== 'EOF') p.next();
      p.next();
      return false;
  }
  const st = parseExecutableStatement(p, 'any');
  if (st === undefined) {
    p.fail(declaration ? 'expecting a declaration' : 'expecting a parameter or declaration');
  }
  if (st !== null) {
    if (st.kind === 'parameter' && type === 'root') {
      p.state.rootParams.set(st.name, st);
      if (st.name === 'ddns-update-style' && typeof st.value === 'string') {
        p.state.ddnsStyle = { value: st.value, pos: st.pos };
      }
    }
    out.push(st);
  }
  return declaration;
}

function addressOrHost(p: Cursor): string {
  const t = p.peek();
  if (t.t === 'NUMBER' && p.peekAt(1).t === '.' && p.peekAt(2).t === 'NUMBER') return parseIpAddr(p);
  if (isIdentifier(t) || t.t === 'NUMBER') {
    const n = parseHostName(p);
    if (n !== undefined) return n;
  }
  if (t.t !== '}' && t.t !== '{') p.next();
  return p.fail(`${t.text} (${t.t.length === 1 ? t.t.charCodeAt(0) : 0}): expecting IP address or hostname`);
}

/** `option ...` at statement level: a space, a definition, or a value. */
function parseOptionAtStatement(p: Cursor, pos: Pos, scope: Scope, declaration: boolean, out: Statement[]): boolean {
  if (p.peek().t === 'space') {
    p.next();
    if (scope.type !== 'root') p.fail('option space definitions may not be scoped.');
    out.push(parseOptionSpaceDecl(p, pos));
    return declaration;
  }
  const r = parseOptionName(p, true);
  if (p.peek().t === 'code') {
    if (scope.type !== 'root') p.fail('option definitions may not be scoped.');
    p.next();
    out.push(parseOptionCodeDefinition(p, pos, r.space, r.name));
    return declaration;
  }
  if (!r.known || r.resolved === undefined) p.fail(`unknown option ${r.space}.${r.name}`);
  out.push(parseOptionStatementTail(p, pos, r.resolved, 'supersede', (q) => requireDataExpression(q)));
  return declaration;
}

/** parse_hardware_param(): `ethernet 00:11:22:33:44:55;` */
export function parseHardware(p: Cursor, pos: Pos): Declaration {
  const t = p.next();
  let hwType: string;
  if (t.t === 'ethernet' || t.t === 'token-ring' || t.t === 'fddi' || t.t === 'infiniband') hwType = t.t;
  else if (t.text.startsWith('unknown-')) hwType = t.text;
  else p.fail('expecting a network hardware type');
  let address = new Uint8Array(0);
  if (p.peek().t !== ';') {
    const bytes = parseNumericAggregate(p, 0, ':', 16, 8);
    if (bytes.length > 20) p.fail('hardware address too long');
    address = new Uint8Array(bytes);
  }
  if (p.next().t !== ';') p.fail('expecting semicolon.');
  return { kind: 'hardware', pos, hwType, address };
}

function parseSharedNetwork(p: Cursor, pos: Pos, scope: Scope): Declaration {
  let name: string;
  if (p.peek().t === 'STRING') {
    name = p.next().text;
    if (name === '') p.fail('zero-length shared network name');
  } else {
    name = parseHostName(p) ?? p.fail('expecting a name for shared-network');
  }
  if (p.next().t !== '{') p.fail('expecting left brace.');
  const share: ShareInfo = { name, subnets: [] };
  const inner: Scope = { type: 'shared-network', share };
  const body: Statement[] = [];
  let declaration = false;
  while (true) {
    const t = p.peek();
    if (t.t === '}') {
      p.next();
      if (share.subnets.length === 0) p.fail('empty shared-network decl');
      break;
    }
    if (t.t === 'EOF') {
      p.next();
      p.fail('unexpected end of file');
    }
    if (t.t === 'interface') {
      p.next();
      const n = p.next();
      body.push({ kind: 'interface', pos: p.pos(t), name: n.text });
      parseSemi(p);
      continue;
    }
    declaration = parseStatement(p, inner, declaration, body);
  }
  void scope;
  return { kind: 'shared-network', pos, name, body };
}

function parseSubnet(p: Cursor, pos: Pos, scope: Scope, share: ShareInfo): Declaration {
  const network = parseIpAddr(p);
  if (p.next().t !== 'netmask') p.fail('Expecting netmask');
  const netmask = parseIpAddr(p);
  const info = subnetInfo(network, netmask);
  checkSubnet(p, info);
  if (p.next().t !== '{') p.fail('expecting left brace.');
  const inner: Scope = { type: 'subnet', subnet: info, share };
  const body: Statement[] = [];
  let declaration = false;
  while (true) {
    const t = p.peek();
    if (t.t === '}') {
      p.next();
      break;
    }
    if (t.t === 'EOF') {
      p.next();
      p.fail('unexpected end of file');
    }
    if (t.t === 'interface') {
      p.next();
      const n = p.next();
      body.push({ kind: 'interface', pos: p.pos(t), name: n.text });
      parseSemi(p);
      continue;
    }
    declaration = parseStatement(p, inner, declaration, body);
  }
  share.subnets.push(info);
  void scope;
  return { kind: 'subnet', pos, network, netmask, body };
}

/** parse_address_range(): after `range` (in a subnet or a pool). */
export function parseRange(p: Cursor, pos: Pos, scope: Scope, poolPeer: string | undefined): Declaration {
  let dynamicBootp = false;
  if (p.peek().t === 'dynamic-bootp') {
    p.next();
    dynamicBootp = true;
  }
  const low = parseIpAddr(p);
  let high = low;
  if (p.peek().t !== ';') high = parseIpAddr(p);
  if (p.next().t !== ';') p.fail('semicolon expected.');
  let subnet = scope.type === 'subnet' ? scope.subnet : undefined;
  if (subnet === undefined) {
    const share = scope.share;
    const lowNum = ipToNumLocal(low);
    subnet = share?.subnets.find((s) => (lowNum & s.mask) >>> 0 === s.net);
    if (subnet === undefined) {
      p.fail(`address range not on network ${share?.name ?? ''}`, {
        hint: 'Be sure to place pool statement after related subnet declarations.',
      });
    }
  }
  if (poolPeer !== undefined && dynamicBootp) {
    p.fail('dynamic-bootp flag is not permitted for address', {
      hint: 'range declarations where there is a failover peer in scope. The failover protocol does not permit dynamic BOOTP: declare such a range in a pool with "no failover peer;".',
    });
  }
  checkRange(p, subnet, low, high, pos);
  return { kind: 'range', pos, dynamicBootp, low, high };
}

function ipToNumLocal(a: string): number {
  const [x, y, z, w] = a.split('.').map(Number);
  return (((x! << 24) >>> 0) + (y! << 16) + (z! << 8) + w!) >>> 0;
}

function parseGroup(p: Cursor, pos: Pos, scope: Scope): Declaration {
  let name: string | undefined;
  const t = p.peek();
  if (isIdentifier(t) || t.t === 'STRING') {
    p.next();
    name = t.text;
  }
  if (p.next().t !== '{') p.fail('expecting left brace.');
  const inner: Scope = { ...scope, type: 'group' };
  const node: Extract<Declaration, { kind: 'group' }> = { kind: 'group', pos, body: [] };
  if (name !== undefined) node.name = name;
  let declaration = false;
  while (true) {
    const tok = p.peek();
    if (tok.t === '}') {
      p.next();
      break;
    }
    if (tok.t === 'EOF') {
      p.next();
      p.fail('unexpected end of file');
    }
    if (tok.t === 'deleted' || tok.t === 'dynamic' || tok.t === 'static') {
      p.next();
      parseSemi(p);
      node[tok.t] = true;
      // ISC goes straight on to parse a statement here, so `static; }` is an error.
    }
    declaration = parseStatement(p, inner, declaration, node.body);
  }
  if (name !== undefined && !node.deleted) p.state.groups.add(name);
  return node;
}

function parseHost(p: Cursor, pos: Pos, scope: Scope): HostDecl {
  const name = parseHostName(p) ?? p.fail('expecting a name for host declaration.');
  if (p.next().t !== '{') p.fail('expecting left brace.');
  const host: HostDecl = { kind: 'host', pos, name, body: [] };
  const inner: Scope = { ...scope, type: 'host', host };
  let declaration = false;
  while (true) {
    const t = p.peek();
    if (t.t === '}') {
      p.next();
      break;
    }
    if (t.t === 'EOF') {
      p.next();
      p.fail('unexpected end of file');
    }
    if (t.t === 'dynamic' || t.t === 'deleted') {
      p.next();
      parseSemi(p);
      host[t.t] = true;
      continue;
    }
    if (t.t === 'group') {
      p.next();
      const g = p.next();
      if (g.t !== 'STRING' && !isIdentifier(g)) p.fail('expecting string or identifier.');
      if (!p.state.groups.has(g.text)) p.fail(`unknown group ${g.text} in host ${name}`);
      host.namedGroup = g.text;
      parseSemi(p);
      continue;
    }
    if (t.t === 'uid') {
      p.next();
      if (host.uid !== undefined) p.fail(`Host '${name}' already has a uid`);
      if (p.peek().t === 'STRING') host.uid = bytesOf(p.next().text);
      else host.uid = new Uint8Array(parseNumericAggregate(p, 0, ':', 16, 8));
      parseSemi(p);
      continue;
    }
    if (t.t === 'host-identifier') {
      if (host.hostIdentifier !== undefined) p.fail('only one host-identifier allowed per host');
      p.next();
      const k = p.next();
      let v6relopt: number | undefined;
      if (k.t === 'v6relopt') {
        const n = p.next();
        if (n.t !== 'NUMBER') p.fail('host-identifier v6relopt must have a number');
        v6relopt = Number.parseInt(n.text, 10);
      } else if (k.t !== 'option') {
        p.fail('host-identifier must be an option or v6relopt');
      }
      const r = parseOptionName(p, true);
      if (!r.known || r.resolved === undefined) p.fail(`unknown option ${r.space}.${r.name}`);
      const v = parseOptionData(p, r.resolved, true);
      parseSemi(p);
      host.hostIdentifier = { option: optionRef(r.resolved), value: v.value };
      if (v6relopt !== undefined) host.hostIdentifier.v6relopt = v6relopt;
      continue;
    }
    declaration = parseStatement(p, inner, declaration, host.body);
  }
  if (!host.deleted) {
    if (p.state.hosts.has(name)) {
      p.fail(`host ${name}: already exists`, {
        hint: 'Host names must be unique; rename or remove one of the two declarations.',
      });
    }
    p.state.hosts.add(name);
  }
  if ((scope.type === 'subnet' || scope.type === 'shared-network') && !p.state.warnedGlobalHosts) {
    // ISC says this once, as a warning; the host still applies everywhere.
    p.state.warnedGlobalHosts = true;
    p.warn('host declarations are global: they are not limited to the scope you declared them in', { atPos: pos });
  }
  return host;
}

export type { ClassDecl };
