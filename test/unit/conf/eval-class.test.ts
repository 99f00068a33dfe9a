import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { classifyPacket } from '../../../src/conf/eval-class.js';
import type { EvalContext } from '../../../src/conf/eval-context.js';
import { executeScopes, executeStatements } from '../../../src/conf/eval-exec.js';
import { parseDhcpdConf } from '../../../src/conf/index.js';
import { buildScopeTree, type Scope, type ScopeTree } from '../../../src/conf/scope-tree.js';
import { bytes, conf, hex, type PacketSpec, packetCtx } from './eval-helpers.js';

const PXE_CONF = `
option arch code 93 = unsigned integer 16;
class "pxeclients" {
  match if substring (option vendor-class-identifier, 0, 9) = "PXEClient";
  if option arch = 00:07 { filename "bootx64.efi"; } else { filename "pxelinux.0"; }
}
class "by-mac" { match hardware; }
subclass "by-mac" 1:00:07:e9:01:02:03 { option host-name "mac-sub"; }
subclass "by-mac" 1:00:07:e9:01:02:04;
class "per-circuit" { spawn with option agent.circuit-id; lease limit 2; }
class "named" { match if exists host-name; match option host-name; }
subclass "named" "alpha";
class "strangers" { match if not known; }
class "by-id" { match pick-first-value (option dhcp-client-identifier, hardware); }
subclass "by-id" 01:00:07:e9:aa:bb:cc;
class "empty" { }
`;

const names = (ctx: EvalContext, tree: ScopeTree, opts = {}) =>
  classifyPacket(tree.classes, ctx, opts).map((m) => `${m.name}${m.subclassKey ? `/${m.subclassKey}` : ''}`);

test('PXE-style classes: match if, match hardware with subclasses, spawn, pick-first-value', () => {
  const { tree, catalogue } = conf(PXE_CONF);
  const ctx = packetCtx(
    {
      options: [
        [60, 'PXEClient:Arch:00007:UNDI:003016'],
        [93, bytes(0, 7)],
      ],
      agent: [[1, 'port7']],
    },
    { catalogue },
  );
  const ms = classifyPacket(tree.classes, ctx);
  assert.deepEqual(
    ms.map((m) => [m.name, m.subclassKey, m.spawned]),
    [
      ['pxeclients', undefined, false],
      ['by-mac', '010007e9010203', false],
      ['per-circuit', Buffer.from('port7').toString('hex'), true],
      ['strangers', undefined, false],
    ],
  );
  assert.deepEqual(ctx.classes, ['pxeclients', 'by-mac', 'per-circuit', 'strangers']);
  // The class's settings: its statements pick the UEFI boot file for arch 7.
  const pxe = ms[0]!;
  executeScopes([pxe.scope], ctx);
  assert.equal(ctx.parameters.get('filename'), 'bootx64.efi');
  // The declared subclass carries its own settings.
  const sub = ms[1]!;
  executeScopes([sub.scope], ctx);
  assert.equal(Buffer.from(ctx.config.get('dhcp', 12) ?? []).toString(), 'mac-sub');
  assert.equal(ms[2]?.decl.leaseLimit, 2);
});

test('a submatch that is null, empty or unknown matches nothing unless the class spawns', () => {
  const { tree } = conf(PXE_CONF);
  const plain = packetCtx({ chaddr: '00:07:e9:01:02:05', known: true });
  assert.deepEqual(names(plain, tree), ['strangers']);
  const named = packetCtx({ chaddr: '00:07:e9:01:02:05', options: [[12, 'alpha']] });
  assert.deepEqual(names(named, tree), ['named/616c706861', 'strangers']);
  const other = packetCtx({ chaddr: '00:07:e9:01:02:05', options: [[12, 'beta']] });
  assert.deepEqual(names(other, tree), ['strangers']);
  const emptyCircuit = packetCtx({ chaddr: '00:07:e9:01:02:05', agent: [[1, new Uint8Array(0)]] });
  assert.deepEqual(names(emptyCircuit, tree), ['strangers']);
  // pick-first-value: the client identifier when there is one, else the hardware.
  const byId = packetCtx({ chaddr: '00:07:e9:01:02:05', options: [[61, hex('01:00:07:e9:aa:bb:cc')]] });
  assert.deepEqual(names(byId, tree), ['strangers', 'by-id/010007e9aabbcc']);
});

test('known is false while dhcpd classifies (it looks hosts up afterwards), unless asked otherwise', () => {
  const { tree } = conf(PXE_CONF);
  const ctx = packetCtx({ chaddr: '00:07:e9:01:02:05', known: true });
  assert.deepEqual(names(ctx, tree), ['strangers']);
  assert.deepEqual(names(packetCtx({ chaddr: '00:07:e9:01:02:05', known: true }), tree, { honourKnown: true }), []);
  // The lease is not visible either.
  const { tree: t2 } = conf('class "leased" { match if static; }');
  const leased = packetCtx({}, { lease: { static: true } });
  assert.deepEqual(names(leased, t2), []);
  assert.deepEqual(names(leased, t2, { honourKnown: true }), ['leased']);
});

test('vendor-class style matching on option 60 and regex classes', () => {
  const { tree } = conf(`
class "msft" { match if substring (option vendor-class-identifier, 0, 4) = "MSFT"; }
class "phones" { match if option vendor-class-identifier ~~ "^(polycom|yealink)"; }
class "vci" { match option vendor-class-identifier; }
subclass "vci" "udhcp 1.36.1";
`);
  assert.deepEqual(names(packetCtx({ options: [[60, 'MSFT 5.0']] }), tree), ['msft']);
  assert.deepEqual(names(packetCtx({ options: [[60, 'Yealink SIP-T46']] }), tree), ['phones']);
  assert.deepEqual(names(packetCtx({ options: [[60, 'udhcp 1.36.1']] }), tree), [
    `vci/${Buffer.from('udhcp 1.36.1').toString('hex')}`,
  ]);
  assert.deepEqual(names(packetCtx({}), tree), []);
});

// ---------------------------------------------------------------------------------------------
// Corpus smoke test: every ISC-valid configuration's classes and statements evaluate without throwing.

const CORPUS = '/work/shared/corpus/dhcpd-conf';

const SYNTHETIC: PacketSpec[] = [
  {},
  {
    options: [
      [60, 'PXEClient:Arch:00007:UNDI:003016'],
      [93, bytes(0, 7)],
      [12, 'host-1'],
      [61, hex('01:00:07:e9:01:02:03')],
      [77, 'iPXE'],
      [55, bytes(1, 3, 6, 15, 119, 252)],
    ],
    agent: [
      [1, 'eth0/1/2'],
      [2, hex('00:16:36:51:5d:5a')],
    ],
    file: 'boot',
    sname: 'srv',
  },
  // Every code with awkward data: odd lengths, zero bytes, empty values.
  { options: Array.from({ length: 254 }, (_, i) => [i + 1, new Uint8Array(i % 7).fill(i)] as [number, Uint8Array]) },
];

function corpusFiles(): string[] {
  const verdicts = resolve(CORPUS, 'VERDICTS.tsv');
  if (!existsSync(verdicts)) return [];
  return readFileSync(verdicts, 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'))
    .filter((f) => f[1] === '0' && f[0])
    .map((f) => f[0]!);
}

test('corpus: classes and scope statements of every ISC-valid file evaluate without throwing', (t) => {
  const files = corpusFiles();
  if (files.length === 0) {
    t.skip('corpus not present');
    return;
  }
  let parsed = 0;
  let classes = 0;
  for (const file of files) {
    const res = parseDhcpdConf(file, {
      readFile: (p) => {
        try {
          return readFileSync(resolve(CORPUS, p));
        } catch {
          return undefined;
        }
      },
    });
    if (res.conf === undefined) continue; // the parser does not take this file yet
    parsed++;
    const tree = buildScopeTree(res.conf, res.catalogue);
    const scopes: Scope[] = [tree.global, ...tree.sharedNetworks.map((n) => n.scope)];
    for (const s of tree.subnets) scopes.push(s.scope);
    for (const p of tree.pools) scopes.push(p.scope);
    for (const h of tree.hosts) scopes.push(h.scope);
    for (const c of tree.classes.values()) {
      scopes.push(c.scope);
      for (const sub of c.subclasses.values()) scopes.push(sub.scope);
    }
    for (const spec of SYNTHETIC) {
      for (const honourKnown of [false, true]) {
        const ctx = packetCtx(spec, {
          catalogue: res.catalogue,
          lease: { address: bytes(192, 0, 2, 50), ends: 2000, hostDeclName: 'h' },
          now: 1000,
          gethostname: () => 'leasehold',
        });
        try {
          const ms = classifyPacket(tree.classes, ctx, { honourKnown });
          classes += ms.length;
          executeScopes(scopes, ctx);
          for (const body of [ctx.events.commit, ctx.events.release, ctx.events.expiry]) {
            if (body) executeStatements(body, ctx);
          }
        } catch (e) {
          assert.fail(`${file}: ${(e as Error).stack}`);
        }
      }
    }
  }
  assert.ok(parsed > 0, 'no corpus file parsed');
  t.diagnostic(`${parsed}/${files.length} ISC-valid files parsed; ${classes} class memberships`);
});
