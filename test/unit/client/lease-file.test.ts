// dhclient.leases: the five real client lease files of the corpus and the French seed's example read and
// written back byte for byte; times in UTC; a lease from an ACK written as ISC writes it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  formatClientLease,
  formatClientLeaseFile,
  formatLeaseTime,
  leasesForInterface,
  parseClientLeaseFile,
} from '../../../src/client/lease-file.js';
import { Catalogue } from '../../../src/options/catalogue.js';
import { ipToString } from '../../../src/wire/index.js';
import { configFromText, Rig, sent, serverReply } from './harness.js';

const DIR = '/work/shared/corpus/leases';
const CLIENT_FILES = readdirSync(DIR).filter((f) => /^02[5-9]-dhclient/.test(f));

const SEED = `lease {
  interface "eth0";
  fixed-address 192.168.0.67;
  option subnet-mask 255.255.255.0;
  option routers 192.168.0.252;
  option dhcp-lease-time 3600;
  option dhcp-message-type 5;
  option domain-name-servers 192.168.0.252;
  option dhcp-server-identifier 192.168.0.252;
  option netbios-name-servers 192.168.0.252;
  option domain-name "maison.mrs";
  renew 5 2009/05/08 08:38:00;
  rebind 5 2009/05/08 09:05:37;
  expire 5 2009/05/08 09:13:07;
}
`;

function withoutComments(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
}

describe('dhclient.leases', () => {
  it('finds the five corpus client lease files', () => {
    assert.equal(CLIENT_FILES.length, 5);
  });

  for (const f of CLIENT_FILES) {
    it(`round-trips ${f}`, () => {
      const bytes = readFileSync(`${DIR}/${f}`);
      const cat = Catalogue.standard();
      const file = parseClientLeaseFile(bytes, cat, f);
      assert.equal(file.error, undefined, file.error?.message);
      assert.deepEqual(file.warnings, []);
      assert.ok(file.leases.length > 0);
      assert.equal(formatClientLeaseFile(file, cat), withoutComments(bytes.toString('latin1')));
    });
  }

  it('reads times as UTC and keeps the DUID', () => {
    const cat = Catalogue.standard();
    const file = parseClientLeaseFile(SEED, cat);
    const [l] = file.leases;
    assert.equal(l!.renew, Date.UTC(2009, 4, 8, 8, 38, 0) / 1000);
    assert.equal(l!.expire, Date.UTC(2009, 4, 8, 9, 13, 7) / 1000);
    assert.equal(formatLeaseTime(l!.renew), '5 2009/05/08 08:38:00');
    assert.equal(formatClientLeaseFile(file, cat), SEED);
    const duid = parseClientLeaseFile(readFileSync(`${DIR}/028-dhclient-proyectodns-enp0s8.leases`), cat);
    assert.deepEqual([...duid.defaultDuid!.subarray(0, 4)], [0, 1, 0, 1]);
  });

  it('picks the last unexpired lease of the interface as the active one', () => {
    const cat = Catalogue.standard();
    const file = parseClientLeaseFile(readFileSync(`${DIR}/025-dhclient-link-eth0.leases`), cat);
    const last = file.leases.at(-1)!;
    const { active, others } = leasesForInterface(file, 'eth0', last.expire - 10);
    assert.equal(active, last);
    assert.equal(leasesForInterface(file, 'eth1', 0).active, undefined);
    assert.equal(leasesForInterface(file, 'eth0', last.expire).active, undefined, 'expired');
    assert.ok(others.every((o) => o.expire > last.expire - 10));
  });

  it('writes a lease obtained from an ACK in ISC order, and reads it back', () => {
    const { cfg } = configFromText('option xgrid-controller code 250 = ip-address;');
    const rig = new Rig(cfg);
    const [d] = sent(rig.run({ kind: 'start' }));
    const extra: [number, Uint8Array][] = [[250, new Uint8Array([192, 0, 2, 89])]];
    const [q] = sent(rig.reply(serverReply(d!.msg, 2, '192.0.2.10', { extra })));
    const acts = rig.reply(serverReply(q!.msg, 5, '192.0.2.10', { extra }));
    const w = acts.find((a) => a.kind === 'write-lease');
    assert.ok(w && w.kind === 'write-lease');
    const text = formatClientLease(w.lease, cfg.catalogue);
    assert.match(
      text,
      /^lease \{\n {2}interface "eth0";\n {2}fixed-address 192\.0\.2\.10;\n {2}option dhcp-message-type 5;\n/,
    );
    assert.match(text, /option domain-name-servers 192\.0\.2\.53,198\.51\.100\.53;/);
    assert.match(text, /option xgrid-controller 192\.0\.2\.89;/);
    assert.match(
      text,
      /renew 4 2026\/01\/01 00:05:01;\n {2}rebind 4 2026\/01\/01 00:08:45;\n {2}expire 4 2026\/01\/01 00:10:00;\n\}\n$/,
    );
    const back = parseClientLeaseFile(text, cfg.catalogue).leases[0]!;
    assert.equal(ipToString(back.address), '192.0.2.10');
    assert.deepEqual(back.options, w.lease.options);
    assert.equal(back.renew, w.lease.renew);
  });

  it('keeps leases read before a syntax error and reports it', () => {
    const file = parseClientLeaseFile(`${SEED}lease { fixed-address ; }\n`, Catalogue.standard());
    assert.equal(file.leases.length, 1);
    assert.ok(file.error);
  });
});
