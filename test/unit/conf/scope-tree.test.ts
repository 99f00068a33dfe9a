import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseDhcpdConf, parseDhcpdConfText } from '../../../src/conf/index.js';
import {
  buildScopeTree,
  isAuthoritative,
  lookupOption,
  lookupParameter,
  parseIpv4,
  settingsChain,
  subnetFor,
} from '../../../src/conf/scope-tree.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const fixtures = resolve(repoRoot, 'test/fixtures/conf');

function treeOf(file: string) {
  const res = parseDhcpdConf(file, {
    readFile: (p) => {
      try {
        return readFileSync(resolve(dirname(file), p));
      } catch {
        return undefined;
      }
    },
  });
  assert.equal(res.error, undefined, res.error?.message);
  assert.ok(res.conf);
  return buildScopeTree(res.conf, res.catalogue);
}

function treeOfText(text: string) {
  const res = parseDhcpdConfText(text);
  assert.equal(res.error, undefined, res.error?.message);
  assert.ok(res.conf);
  return buildScopeTree(res.conf, res.catalogue);
}

test('seed user-defined option: xgrid-controller is a typed ip-address in the global scope', () => {
  const tree = treeOf(resolve(fixtures, 'xgrid_dhcpd.conf'));
  const x = tree.global.options.get('dhcp.xgrid-controller');
  assert.ok(x);
  assert.equal(x.option.code, 250);
  assert.deepEqual(x.option.type, { kind: 'ip-address' });
  assert.equal(x.value, '192.168.1.89');
  assert.equal(tree.global.options.get('dhcp.domain-name')?.value, 'diablotin.fr');
  assert.deepEqual(tree.global.options.get('dhcp.domain-name-servers')?.value, ['192.168.1.1']);
  assert.equal(lookupParameter([tree.global], 'default-lease-time')?.value, 86400);
  assert.equal(lookupParameter([tree.global], 'max-lease-time')?.value, 172800);
  assert.equal(tree.global.authoritative, true);

  assert.equal(tree.subnets.length, 1);
  const subnet = tree.subnets[0]!;
  assert.equal(subnet.network, parseIpv4('192.168.1.0'));
  assert.equal(subnet.prefixLength, 24);
  assert.equal(subnet.sharedNetwork.implicit, true);
  assert.equal(subnet.pools.length, 1);
  assert.deepEqual(
    subnet.pools[0]!.ranges.map((r) => [r.low, r.high]),
    [[parseIpv4('192.168.1.100'), parseIpv4('192.168.1.199')]],
  );
  const chain = settingsChain({ pool: subnet.pools[0]!, subnet });
  assert.deepEqual(lookupOption(chain, 'dhcp.routers')?.value, ['192.168.1.1']);
  assert.equal(lookupOption(chain, 'dhcp.xgrid-controller')?.value, '192.168.1.89');
  assert.equal(isAuthoritative(chain), true);
  assert.equal(subnetFor(tree, parseIpv4('192.168.1.150')!), subnet);
  assert.equal(subnetFor(tree, parseIpv4('192.168.2.1')!), undefined);
});

test('seed failover primary: the pool refers to the peer and denies dynamic bootp', () => {
  const tree = treeOf(resolve(fixtures, 'failover/primary_failover.conf'));
  const peer = tree.failoverPeers.get('mysoho');
  assert.ok(peer);
  assert.equal(peer.role, 'primary');
  assert.equal(peer.address, '192.168.1.35');
  assert.equal(peer.port, 847);
  assert.equal(peer.peerAddress, '192.168.1.2');
  assert.equal(peer.peerPort, 647);
  assert.equal(peer.maxResponseDelay, 180);
  assert.equal(peer.mclt, 1800);
  assert.equal(peer.split, 128);
  assert.equal(peer.loadBalanceMaxSeconds, 3);
  const pool = tree.subnets[0]!.pools[0]!;
  assert.equal(pool.failoverPeer, 'mysoho');
  assert.deepEqual(pool.permits, [{ allow: false, permit: { type: 'dynamic-bootp-clients' } }]);
  assert.equal(pool.ranges.length, 1);
});

test('seed failover secondary: role secondary, no mclt or split of its own', () => {
  const tree = treeOf(resolve(fixtures, 'failover/secondary_failover.conf'));
  const peer = tree.failoverPeers.get('mysoho');
  assert.equal(peer?.role, 'secondary');
  assert.equal(peer?.mclt, undefined);
  assert.equal(peer?.split, undefined);
});

test('priority: host > class > pool > subnet > shared-network > group > global', () => {
  const tree = treeOfText(`
    option domain-name "global";
    class "phones" { match if substring(option vendor-class-identifier, 0, 5) = "phone"; option domain-name "class"; }
    group {
      option domain-name "group";
      shared-network "campus" {
        option domain-name "shared";
        subnet 192.0.2.0 netmask 255.255.255.0 {
          option domain-name "subnet";
          pool { option domain-name "pool"; range 192.0.2.10 192.0.2.20; }
        }
        subnet 198.51.100.0 netmask 255.255.255.0 { range 198.51.100.10 198.51.100.20; }
      }
    }
    group { option domain-name "hostgroup"; host pc { hardware ethernet 00:16:36:51:5d:5a; option domain-name "host"; } }
  `);
  const s1 = subnetFor(tree, parseIpv4('192.0.2.15')!)!;
  const s2 = subnetFor(tree, parseIpv4('198.51.100.15')!)!;
  assert.equal(s1.sharedNetwork.name, 'campus');
  assert.equal(s1.sharedNetwork, s2.sharedNetwork);
  assert.equal(s1.sharedNetwork.pools.length, 2);
  const pool = s1.pools[0]!;
  const host = tree.hostsByHardware.get('00:16:36:51:5d:5a')![0]!;
  const cls = tree.classes.get('phones')!.scope;
  const name = (chain: ReturnType<typeof settingsChain>) => lookupOption(chain, 'dhcp.domain-name')?.value;
  assert.equal(name(settingsChain({ host, classes: [cls], pool, subnet: s1 })), 'host');
  assert.equal(name(settingsChain({ classes: [cls], pool, subnet: s1 })), 'class');
  assert.equal(name(settingsChain({ pool, subnet: s1 })), 'pool');
  assert.equal(name(settingsChain({ subnet: s1 })), 'subnet');
  assert.equal(name(settingsChain({ pool: s2.pools[0]!, subnet: s2 })), 'shared');
  assert.equal(name(settingsChain({ host })), 'host');
  assert.equal(name(settingsChain({})), undefined);
  assert.equal(name([tree.global]), 'global');
  // The host's group sits below the subnet chain but above global.
  const hostless = { ...host, scope: host.scope.parent! };
  assert.equal(name(settingsChain({ host: hostless as typeof host })), 'hostgroup');
});

test('hosts are indexed by hardware address and by client identifier', () => {
  const tree = treeOfText(`
    subnet 192.0.2.0 netmask 255.255.255.0 { }
    host a { hardware ethernet 00:AA:bb:01:02:03; fixed-address 192.0.2.5; }
    host b { uid 01:00:aa:bb:01:02:04; fixed-address 192.0.2.6, 192.0.2.7; }
  `);
  assert.deepEqual(tree.hostsByHardware.get('00:aa:bb:01:02:03')?.[0]?.fixedAddresses, ['192.0.2.5']);
  assert.deepEqual(tree.hostsByUid.get('0100aabb010204')?.[0]?.fixedAddresses, ['192.0.2.6', '192.0.2.7']);
});

test('longest prefix wins when subnets nest', () => {
  const tree = treeOfText(`
    subnet 192.0.2.0 netmask 255.255.255.0 { }
    subnet 192.0.2.128 netmask 255.255.255.192 { }
  `);
  assert.equal(subnetFor(tree, parseIpv4('192.0.2.130')!)?.prefixLength, 26);
  assert.equal(subnetFor(tree, parseIpv4('192.0.2.10')!)?.prefixLength, 24);
});

test('a scope keeps its executable statements in source order; vendor-class does not shadow a class', () => {
  const tree = treeOfText(`
    class "x" { match if option host-name = "a"; }
    vendor-class "x" { }
    option domain-name "one";
    if option host-name = "b" { option domain-name "two"; }
    default-lease-time 600;
  `);
  assert.ok(tree.classes.get('x')?.decl.matchIf);
  assert.deepEqual(
    tree.global.ordered.map((s) => s.kind),
    ['option', 'if', 'parameter'],
  );
  assert.equal(tree.global.statements.length, 1);
});

test('a pool declared in a shared network sees the subnet its address lies in', () => {
  const tree = treeOfText(`
    shared-network net {
      option domain-name "shared";
      subnet 192.0.2.0 netmask 255.255.255.0 { option routers 192.0.2.1; }
      pool { option domain-name "pool"; range 192.0.2.10 192.0.2.20; }
    }
  `);
  const subnet = tree.subnets[0]!;
  const pool = tree.pools[0]!;
  assert.equal(pool.subnet, undefined);
  const chain = settingsChain({ pool, subnet });
  assert.deepEqual(
    chain.map((s) => s.kind),
    ['pool', 'subnet', 'shared-network', 'global'],
  );
  assert.equal(lookupOption(chain, 'dhcp.domain-name')?.value, 'pool');
  assert.deepEqual(lookupOption(chain, 'dhcp.routers')?.value, ['192.0.2.1']);
});
