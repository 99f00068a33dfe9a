// `failover peer "name" { ... }` declarations, references (`failover peer "name";` in a
// shared-network) and `failover peer "name" state { ... }` (confpars.c parse_failover_peer).

import type { Declaration, FailoverPeerDecl, FailoverStateName, Pos } from './ast.js';
import { parseDateCore, parseNumericAggregate, parseSemi } from './parse-basic.js';
import { parseAddressExpr } from './parse-expressions.js';
import type { Cursor } from './parser-core.js';
import { isIdentifier } from './tokens.js';

export type FailoverScope = 'root' | 'shared-network';

/** After `failover`: the peer keyword, a name, then `;`, `state {`, or `{`. */
export function parseFailoverPeer(
  p: Cursor,
  pos: Pos,
  scope: FailoverScope,
  onReference: (name: string) => void,
): Declaration | undefined {
  if (p.next().t !== 'peer') p.fail('expecting "peer"');
  const nameTok = p.next();
  if (!isIdentifier(nameTok) && nameTok.t !== 'STRING') p.fail('expecting failover peer name.');
  const name = nameTok.text;
  const existing = p.state.failoverPeers.get(name);
  const t = p.next();
  if (t.t === ';') {
    if (scope !== 'shared-network') p.fail('failover peer reference not in shared-network declaration');
    if (existing === undefined) p.fail(`reference to unknown failover peer ${name}`);
    onReference(name);
    return { kind: 'failover-ref', pos, peer: name };
  }
  if (t.t === 'state') {
    if (existing === undefined) p.fail(`state declaration for unknown failover peer ${name}`);
    return parseFailoverState(p, pos, name);
  }
  if (t.t !== '{') p.fail('expecting left brace');
  if (existing !== undefined) p.fail(`redeclaration of failover peer ${name}`);

  const peer: FailoverPeerDecl = { kind: 'failover-peer', pos, name };
  let partner = false;
  let hbaSet = false;
  while (true) {
    const tok = p.next();
    if (tok.t === '}') break;
    switch (tok.t) {
      case 'primary':
        peer.role = 'primary';
        break;
      case 'secondary':
        peer.role = 'secondary';
        if (hbaSet) p.fail('secondary may not define load balance settings.');
        break;
      case 'peer':
        partner = true;
        continue;
      case 'address': {
        const a = parseAddressExpr(p);
        if (partner) peer.peerAddress = a;
        else peer.address = a;
        break;
      }
      case 'port': {
        const n = p.next();
        if (n.t !== 'NUMBER') p.fail('expecting number');
        if (partner) peer.peerPort = Number.parseInt(n.text, 10);
        else peer.port = Number.parseInt(n.text, 10);
        break;
      }
      case 'max-lease-misbalance':
      case 'max-lease-ownership':
      case 'max-balance':
      case 'min-balance':
      case 'auto-partner-down':
      case 'max-response-delay':
      case 'max-unacked-updates':
      case 'mclt': {
        const n = p.next();
        if (n.t !== 'NUMBER') p.fail('expecting number.');
        const v = Number.parseInt(n.text, 10);
        setNumber(peer, tok.t, v, partner);
        break;
      }
      case 'hba': {
        if (peer.role === 'secondary') p.fail('secondary may not define load balance settings.');
        const bytes = parseNumericAggregate(p, 32, ':', 16, 8);
        if (bytes.length !== 32) p.fail('HBA must be exactly 32 bytes.');
        peer.hba = new Uint8Array(bytes);
        hbaSet = true;
        break;
      }
      case 'split': {
        const n = p.next();
        if (peer.role === 'secondary') p.fail('secondary may not define load balance settings.');
        if (n.t !== 'NUMBER') p.fail('expecting number');
        const split = Number.parseInt(n.text, 10);
        if (split > 256) p.fail('split must be between 0 and 256, inclusive');
        peer.split = split;
        hbaSet = true;
        break;
      }
      case 'load': {
        if (p.next().t !== 'balance') p.fail("expecting 'balance'");
        if (p.next().t !== 'max') p.fail("expecting 'max'");
        if (p.next().t !== 'seconds') p.fail("expecting 'secs'");
        const n = p.next();
        if (n.t !== 'NUMBER') p.fail('expecting number');
        peer.loadBalanceMaxSeconds = Number.parseInt(n.text, 10);
        break;
      }
      default:
        p.fail('invalid statement in peer declaration');
    }
    partner = false;
    parseSemi(p);
  }
  if (peer.peerAddress === undefined) p.fail('peer address may not be omitted');
  if (peer.role === 'primary') {
    if (!hbaSet) p.fail('primary failover server must have hba or split.');
    if (peer.mclt === undefined || peer.mclt === 0) p.fail('primary failover server must have mclt.');
  }
  p.state.failoverPeers.set(name, { decl: peer, poolCount: 0 });
  return peer;
}

function setNumber(peer: FailoverPeerDecl, what: string, v: number, partner: boolean): void {
  switch (what) {
    case 'max-lease-misbalance':
      peer.maxLeaseMisbalance = v;
      break;
    case 'max-lease-ownership':
      peer.maxLeaseOwnership = v;
      break;
    case 'max-balance':
      peer.maxBalance = v;
      break;
    case 'min-balance':
      peer.minBalance = v;
      break;
    case 'auto-partner-down':
      peer.autoPartnerDown = v;
      break;
    case 'max-response-delay':
      if (partner) peer.peerMaxResponseDelay = v;
      else peer.maxResponseDelay = v;
      break;
    case 'max-unacked-updates':
      if (partner) peer.peerMaxUnackedUpdates = v;
      else peer.maxUnackedUpdates = v;
      break;
    case 'mclt':
      peer.mclt = v;
      break;
  }
}

/** The failover state names of dhcpd.conf and dhcpd.leases (`my state ... at ...`). */
export const FAILOVER_STATES: ReadonlySet<string> = new Set([
  'unknown-state',
  'partner-down',
  'normal',
  'communications-interrupted',
  'conflict-done',
  'resolution-interrupted',
  'potential-conflict',
  'recover',
  'recover-wait',
  'recover-done',
  'shutdown',
  'paused',
  'startup',
]);

/** parse_failover_state_declaration() for a known peer, after `state`. */
function parseFailoverState(p: Cursor, pos: Pos, peer: string): Declaration {
  if (p.next().t !== '{') p.fail('expecting left brace');
  const decl: Extract<Declaration, { kind: 'failover-state' }> = { kind: 'failover-state', pos, peer };
  while (true) {
    const t = p.next();
    if (t.t === '}') break;
    if (t.t === 'my' || t.t === 'partner') {
      if (p.next().t !== 'state') p.fail("expecting 'state'");
      const s = p.next();
      if (!FAILOVER_STATES.has(s.t)) p.fail('unknown failover state');
      const n = p.next();
      let at: number | undefined;
      if (n.t !== ';') {
        if (n.t !== 'at') p.fail('expecting "at"');
        at = parseDateCore(p);
        parseSemi(p);
      }
      const st = at === undefined ? { state: s.t as FailoverStateName } : { state: s.t as FailoverStateName, at };
      if (t.t === 'my') decl.my = st;
      else decl.partner = st;
    } else if (t.t === 'mclt') {
      const info = p.state.failoverPeers.get(peer);
      if (info?.decl.role === 'primary') p.fail('mclt not valid for primary');
      const n = p.next();
      if (n.t !== 'NUMBER') p.fail('expecting a number.');
      decl.mclt = Number.parseInt(n.text, 10);
      parseSemi(p);
    } else {
      p.fail('expecting state setting.');
    }
  }
  return decl;
}
