// The dhclient-script environment: names (dashes -> underscores, user-defined options too), ISC's value
// formats, computed network/broadcast, old_/new_/requested_, and ISC's refusal of suspect names.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ClientLease } from '../../../src/client/lease.js';
import { buildScriptEnv, checkDomainName } from '../../../src/client/script-env.js';
import { configFromText, ip, opt, optBytes, optIp, optU32, Rig, scripts, sent, serverReply } from './harness.js';

function lease(extra: [number, Uint8Array][] = []): ClientLease {
  return {
    address: ip('192.168.1.199'),
    nextServer: ip('0.0.0.0'),
    options: new Map([
      optIp(1, '255.255.255.0'),
      optIp(3, '192.168.1.1'),
      optIp(6, '192.168.1.35', '192.168.1.36'),
      optU32(51, 72172),
      opt(53, 5),
      optIp(54, '192.168.1.35'),
      [15, new Uint8Array(Buffer.from('example.org'))],
      ...extra,
    ]),
    renew: 1000,
    rebind: 2000,
    expire: 1241771587,
  };
}

describe('dhclient-script environment', () => {
  it('writes the variables of man dhclient-script for a BOUND', () => {
    const { cfg } = configFromText(readFileSync('test/fixtures/conf/dhclient.conf', 'utf8'), 'ep0');
    const env = buildScriptEnv({
      reason: 'BOUND',
      interface: 'ep0',
      newLease: lease([optIp(42, '17.72.133.42', '17.72.133.45'), optIp(250, '192.168.1.89')]),
      requested: cfg.requestList,
      catalogue: cfg.catalogue,
    });
    assert.equal(env.reason, 'BOUND');
    assert.equal(env.interface, 'ep0');
    assert.equal(env.new_ip_address, '192.168.1.199');
    assert.equal(env.new_next_server, '0.0.0.0');
    assert.equal(env.new_subnet_mask, '255.255.255.0');
    assert.equal(env.new_network_number, '192.168.1.0');
    assert.equal(env.new_broadcast_address, '192.168.1.255');
    assert.equal(env.new_routers, '192.168.1.1');
    assert.equal(env.new_domain_name_servers, '192.168.1.35 192.168.1.36');
    assert.equal(env.new_domain_name, 'example.org');
    assert.equal(env.new_dhcp_lease_time, '72172');
    assert.equal(env.new_dhcp_message_type, '5');
    assert.equal(env.new_dhcp_server_identifier, '192.168.1.35');
    assert.equal(env.new_ntp_servers, '17.72.133.42 17.72.133.45');
    assert.equal(env.new_xgrid_controller, '192.168.1.89');
    assert.equal(env.new_expiry, '1241771587');
    assert.equal(env.requested_ntp_servers, '1');
    assert.equal(env.requested_xgrid_controller, '1');
    assert.equal(env.requested_subnet_mask, '1');
    assert.equal(
      Object.keys(env).some((k) => k.startsWith('old_')),
      false,
    );
  });

  it('uses a broadcast-address option the server sent instead of computing one', () => {
    const { cfg } = configFromText('');
    const env = buildScriptEnv({
      reason: 'RENEW',
      interface: 'eth0',
      newLease: lease([optIp(28, '192.168.1.127')]),
      oldLease: lease(),
      catalogue: cfg.catalogue,
    });
    assert.equal(env.new_broadcast_address, '192.168.1.127');
    assert.equal(env.old_broadcast_address, '192.168.1.255');
    assert.equal(env.old_ip_address, '192.168.1.199');
  });

  it('drops host names and domain names ISC would not pass to a shell', () => {
    const { cfg } = configFromText('');
    const env = buildScriptEnv({
      reason: 'BOUND',
      interface: 'eth0',
      newLease: lease([
        [12, new Uint8Array(Buffer.from('evil;rm -rf'))],
        [15, new Uint8Array(Buffer.from('.'))],
        [17, new Uint8Array(Buffer.from('/srv/root'))],
      ]),
      catalogue: cfg.catalogue,
    });
    assert.equal(env.new_host_name, undefined);
    assert.equal(env.new_domain_name, undefined);
    assert.equal(env.new_root_path, '/srv/root');
    assert.ok(checkDomainName('a-b.example.'));
    assert.ok(!checkDomainName('-a.example'));
  });

  it('end to end with the seed: the BOUND script sees new_ntp_servers and new_xgrid_controller', () => {
    const { cfg } = configFromText(readFileSync('test/fixtures/conf/dhclient.conf', 'utf8'), 'ep0');
    const rig = new Rig(cfg, {}, { interface: 'ep0' });
    const [d] = sent(rig.run({ kind: 'start' }));
    assert.deepEqual(optBytes(d!.msg, 55), [1, 28, 2, 3, 15, 6, 12, 42, 250]);
    const extra = [optIp(42, '17.72.133.42', '17.72.133.45'), optIp(250, '192.168.1.89')];
    const [q] = sent(rig.reply(serverReply(d!.msg, 2, '192.0.2.199', { extra })));
    const [s] = scripts(rig.reply(serverReply(q!.msg, 5, '192.0.2.199', { extra })));
    assert.equal(s!.env.interface, 'ep0');
    assert.equal(s!.env.new_ntp_servers, '17.72.133.42 17.72.133.45');
    assert.equal(s!.env.new_xgrid_controller, '192.168.1.89');
  });

  it('supersede/prepend/append/default rewrite what the script sees (and what is recorded)', () => {
    const { cfg } = configFromText(`
      supersede domain-name "corp.example";
      prepend domain-name-servers 127.0.0.1;
      default ntp-servers 192.0.2.123;
    `);
    const rig = new Rig(cfg);
    const [d] = sent(rig.run({ kind: 'start' }));
    const [q] = sent(rig.reply(serverReply(d!.msg, 2, '192.0.2.10')));
    const acts = rig.reply(
      serverReply(q!.msg, 5, '192.0.2.10', { extra: [[15, new Uint8Array(Buffer.from('isp.example'))]] }),
    );
    const [s] = scripts(acts);
    assert.equal(s!.env.new_domain_name, 'corp.example');
    assert.equal(s!.env.new_domain_name_servers, '127.0.0.1 192.0.2.53 198.51.100.53');
    assert.equal(s!.env.new_ntp_servers, '192.0.2.123');
  });
});
