// dhclient.conf -> ClientConfig: ISC's defaults, interface scoping, the seed's configuration, and the 26 real
// configurations of the corpus.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildClientConfigs, configFor, DEFAULT_REQUEST_LIST } from '../../../src/client/config.js';
import { parseDhclientConfText } from '../../../src/conf/index.js';
import { Catalogue } from '../../../src/options/catalogue.js';
import { configFromText, ip } from './harness.js';

describe('client configuration', () => {
  it("has ISC 4.4's defaults", () => {
    const { cfg } = configFromText('');
    assert.deepEqual(cfg.requestList, [1, 28, 2, 3, 15, 6, 12]);
    assert.deepEqual(cfg.requireList, []);
    assert.equal(cfg.timeout, 60);
    assert.equal(cfg.retry, 300);
    assert.equal(cfg.selectTimeout, 0);
    assert.equal(cfg.reboot, 10);
    assert.equal(cfg.backoffCutoff, 15);
    assert.equal(cfg.initialInterval, 3);
    assert.equal(cfg.initialDelay, 0);
    assert.equal(cfg.explicit.size, 0);
    assert.equal(cfg.omapiPort, undefined);
  });

  it('reads the seed dhclient.conf: the ep0 block has the PRL with 250 and the require list', () => {
    const text = readFileSync('test/fixtures/conf/dhclient.conf', 'utf8');
    const ep0 = configFromText(text, 'ep0');
    assert.deepEqual(ep0.cfg.requestList, [1, 28, 2, 3, 15, 6, 12, 42, 250]);
    assert.deepEqual(ep0.cfg.requireList, [1, 6]);
    assert.equal(ep0.cfg.catalogue.byCode('dhcp', 250)?.name, 'xgrid-controller');
    assert.equal(ep0.cfg.omapiPort, undefined, 'omapi port comes after the block: top level only');
    assert.equal(ep0.built.top.omapiPort, 7979);
    // Another interface gets the top-level configuration.
    const eth1 = configFromText(text, 'eth1');
    assert.deepEqual(eth1.cfg.requestList, DEFAULT_REQUEST_LIST);
    assert.equal(eth1.cfg.omapiPort, 7979);
  });

  it('copies the top level at the interface block, as ISC does; later top-level statements do not reach it', () => {
    const { built } = configFromText(`
      timeout 30;
      interface "eth0" { retry 120; also request ntp-servers; }
      timeout 90;
      select-timeout 5;
    `);
    const eth0 = configFor(built, 'eth0');
    assert.equal(eth0.timeout, 30);
    assert.equal(eth0.retry, 120);
    assert.equal(eth0.selectTimeout, 0);
    assert.deepEqual(eth0.requestList, [...DEFAULT_REQUEST_LIST, 42]);
    const eth1 = configFor(built, 'eth1');
    assert.equal(eth1.timeout, 90);
    assert.equal(eth1.retry, 300);
    assert.equal(eth1.selectTimeout, 5);
    assert.ok(eth1.explicit.has('select-timeout'));
  });

  it('encodes send, supersede, prepend, append and default; reads reject and script', () => {
    const { cfg } = configFromText(`
      send host-name "ep0";
      send dhcp-client-identifier = hardware;
      send fqdn.fqdn "x";
      supersede domain-name "example.org";
      prepend domain-name-servers 127.0.0.1;
      append domain-name-servers 192.0.2.53;
      default ntp-servers 192.0.2.123;
      reject 192.0.2.0/24, 198.51.100.7;
      script "/usr/local/sbin/dhclient-script";
      backoff-cutoff 2; initial-interval 1;
    `);
    assert.deepEqual(cfg.send.get(12), { kind: 'data', data: new Uint8Array(Buffer.from('ep0')) });
    assert.deepEqual(cfg.send.get(61), { kind: 'hardware' });
    assert.equal(Buffer.from(cfg.supersede.get(15)!).toString(), 'example.org');
    assert.deepEqual([...cfg.prepend.get(6)!], [127, 0, 0, 1]);
    assert.deepEqual([...cfg.append.get(6)!], [192, 0, 2, 53]);
    assert.deepEqual([...cfg.default.get(42)!], [192, 0, 2, 123]);
    assert.deepEqual(cfg.reject, [
      { network: ip('192.0.2.0'), mask: ip('255.255.255.0') },
      { network: ip('198.51.100.7'), mask: 0xffffffff },
    ]);
    assert.equal(cfg.script, '/usr/local/sbin/dhclient-script');
    assert.equal(cfg.backoffCutoff, 2);
    assert.equal(cfg.initialInterval, 1);
    assert.ok(cfg.explicit.has('backoff-cutoff') && cfg.explicit.has('initial-interval'));
  });

  it('builds a configuration for every corpus dhclient.conf that ISC accepts', () => {
    const dir = '/work/shared/corpus/dhclient-conf';
    let built = 0;
    for (const f of readdirSync(dir).filter((n) => !n.endsWith('.tsv'))) {
      const r = parseDhclientConfText(readFileSync(`${dir}/${f}`, 'latin1'), f, { catalogue: Catalogue.standard() });
      if (r.error) continue;
      const b = buildClientConfigs(r.conf, r.catalogue as Catalogue);
      const cfg = configFor(b, 'eth0');
      assert.ok(
        cfg.requestList.every((c) => Number.isInteger(c) && c > 0 && c < 255),
        f,
      );
      built++;
    }
    assert.ok(built >= 20, `only ${built} corpus files built`);
  });
});
