// `pool { ... }` (confpars.c parse_pool_statement): ranges, permit lists (`allow members of
// "x";`, `deny dynamic bootp clients;`), the failover peer the pool belongs to, and ordinary
// parameters.

import type { Declaration, Permit, Pos, Statement } from './ast.js';
import { parseDateCore, parseSemi } from './parse-basic.js';
import { parseRange, type Scope } from './parse-declarations.js';
import type { Cursor } from './parser-core.js';

type StatementParser = (p: Cursor, scope: Scope, declaration: boolean, out: Statement[]) => boolean;

export function parsePool(p: Cursor, pos: Pos, scope: Scope, parseStatement: StatementParser): Declaration {
  if (p.next().t !== '{') p.fail('expecting left brace.');
  // A pool inherits the failover peer named at the shared-network level.
  let peer: string | undefined = scope.share?.failoverPeer;
  const inner: Scope = { ...scope, type: 'pool' };
  const body: Statement[] = [];
  let ranges = 0;
  let declaration = false;
  let hasAfter = false;
  while (true) {
    const t = p.peek();
    const tpos = p.pos(t);
    if (t.t === 'no') {
      p.next();
      if (p.next().t !== 'failover' || p.next().t !== 'peer') p.fail('expecting "failover peer".');
      // ISC 4.4 does not consume the ';' after `no failover peer`, so the ';' then fails as a
      // statement of its own: the documented form is an error in every 4.4 release.
      if (p.peek().t === ';') {
        p.next();
        p.fail('expecting a parameter or declaration', {
          hint: 'ISC dhcpd 4.4 rejects `no failover peer;` (it leaves the ";" unread); a pool without a `failover peer` line has no peer.',
        });
      }
      peer = undefined;
      body.push({ kind: 'no-failover', pos: tpos });
      continue;
    }
    if (t.t === 'failover') {
      p.next();
      if (p.next().t !== 'peer') p.fail("expecting 'peer'.");
      const n = p.next();
      if (n.t !== 'STRING') p.fail('expecting string.');
      const info = p.state.failoverPeers.get(n.text);
      if (info === undefined) {
        p.fail(`failover peer ${n.text}: not found`, {
          hint: `Declare \`failover peer "${n.text}" { ... }\` before the pools that use it.`,
        });
      }
      info.poolCount++;
      peer = n.text;
      parseSemi(p);
      body.push({ kind: 'failover-ref', pos: tpos, peer: n.text });
      continue;
    }
    if (t.t === 'range') {
      p.next();
      body.push(parseRange(p, tpos, scope, peer));
      ranges++;
      continue;
    }
    if (t.t === 'allow' || t.t === 'deny') {
      p.next();
      const permit = parsePermit(p, hasAfter);
      if (permit.type === 'after') hasAfter = true;
      body.push({ kind: 'permit', pos: tpos, allow: t.t === 'allow', permit });
      continue;
    }
    if (t.t === '}') {
      p.next();
      break;
    }
    if (t.t === 'EOF') p.fail('unexpected end of file');
    declaration = parseStatement(p, inner, declaration, body);
  }
  if (ranges === 0) {
    p.fail('Pool declaration with no address range.', {
      hint: 'Pool declarations must always contain at least one range statement.',
    });
  }
  if (peer !== undefined && !denies(body, 'dynamic-bootp-clients')) {
    // ISC 3.0 refused this; 4.x accepts it and simply never gives failover addresses to
    // dynamic BOOTP clients. Say so, and say what to write.
    p.warn('pools with failover peers may not permit dynamic bootp', {
      atPos: pos,
      hint: 'Write `deny dynamic bootp clients;` in this pool (BOOTP clients get no address from a failover pool).',
    });
  }
  return { kind: 'pool', pos, body };
}

function denies(body: Statement[], type: Permit['type']): boolean {
  return body.some((s) => s.kind === 'permit' && !s.allow && s.permit.type === type);
}

/** get_permit(): what follows `allow`/`deny` in a pool. */
function parsePermit(p: Cursor, hasAfter: boolean): Permit {
  const t = p.next();
  let permit: Permit;
  let needClients = true;
  switch (t.t) {
    case 'unknown':
      permit = { type: 'unknown-clients' };
      break;
    case 'known-clients':
      needClients = false;
      permit = { type: 'known-clients' };
      break;
    case 'unknown-clients':
      needClients = false;
      permit = { type: 'unknown-clients' };
      break;
    case 'known':
      permit = { type: 'known-clients' };
      break;
    case 'authenticated':
      permit = { type: 'authenticated-clients' };
      break;
    case 'unauthenticated':
      permit = { type: 'unauthenticated-clients' };
      break;
    case 'all':
      permit = { type: 'all-clients' };
      break;
    case 'dynamic':
      if (p.next().t !== 'bootp') p.fail('expecting "bootp"');
      permit = { type: 'dynamic-bootp-clients' };
      break;
    case 'members': {
      needClients = false;
      if (p.next().t !== 'of') p.fail('expecting "of"');
      const c = p.next();
      if (c.t !== 'STRING') p.fail('expecting class name.');
      if (!p.state.classes.has(c.text)) {
        p.fail(`no such class: ${c.text}`, { hint: `Declare \`class "${c.text}" { ... }\` before this pool.` });
      }
      permit = { type: 'members-of', className: c.text };
      break;
    }
    case 'after': {
      needClients = false;
      if (hasAfter) p.fail('duplicate "after" clause.');
      permit = { type: 'after', time: parseDateCore(p) };
      break;
    }
    default:
      return p.fail('expecting permit type.');
  }
  if (needClients && p.next().t !== 'clients') p.fail('expecting "clients"');
  parseSemi(p);
  return permit;
}
