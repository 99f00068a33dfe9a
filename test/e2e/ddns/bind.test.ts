// The BIND harness itself: named in a namespace answers for its zones, takes TSIG-signed updates from the real
// nsupdate in another namespace (A, PTR, DHCID), refuses one signed with a wrong secret, and keeps its records
// (from the journal) across stop() and start().

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, type TestContext, test } from 'node:test';
import { createLab, type Lab, type Netns, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitForLog } from '../lib/wait.js';
import { type Bind, type BindKey, nsupdate, requireBind, startBind } from './bind.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const DNS_ADDR = '192.0.2.53';
const CLIENT_ADDR = '192.0.2.20';
const FORWARD = 'example.org.';
const REVERSE = '2.0.192.in-addr.arpa.';
const DHCID = 'AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=';

interface Setup {
  lab: Lab;
  client: Netns;
  bind: Bind;
  key: BindKey;
}

/** named in one namespace (192.0.2.53, port 53), a client namespace (192.0.2.20) beside it, one update key. */
async function setup(t: TestContext): Promise<Setup | undefined> {
  if (!requireRoot(t) || !requireBind(t)) return undefined;
  const lab = createLab(t);
  const dns = await lab.netns();
  const client = await lab.netns();
  await lab.veth(dns, client, { aIf: 'dns0', bIf: 'cli0', aAddr: `${DNS_ADDR}/24`, bAddr: `${CLIENT_ADDR}/24` });
  const key: BindKey = { name: 'ddns-key', algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') };
  const bind = await startBind(t, lab, dns, {
    address: DNS_ADDR,
    keys: [key],
    zones: [
      { name: FORWARD, updateKey: key.name },
      { name: REVERSE, updateKey: key.name },
    ],
  });
  return { lab, client, bind, key };
}

const addHost = (name: string, ip: string): string[] => {
  const ptr = `${ip.split('.').reverse().join('.')}.in-addr.arpa.`;
  return [
    `zone ${FORWARD}`,
    `update add ${name} 300 A ${ip}`,
    'send',
    `zone ${REVERSE}`,
    `update add ${ptr} 300 PTR ${name}`,
    'send',
  ];
};

test('named answers for its zones and takes signed updates: A, PTR, DHCID', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const { lab, client, bind, key } = s;

  assert.deepEqual(await bind.query('ns.example.org.', 'A'), [DNS_ADDR]);
  assert.deepEqual(await bind.query('h1.example.org.', 'A'), []);

  const run = await nsupdate(lab, client, bind, addHost('h1.example.org.', '192.0.2.10'), { key });
  assert.equal(run.code, 0, `nsupdate failed:\n${run.stdout}${run.stderr}`);
  await bind.waitRecords('h1.example.org.', 'A', ['192.0.2.10']);
  await bind.waitRecords('10.2.0.192.in-addr.arpa.', 'PTR', ['h1.example.org.']);

  const dhcid = await nsupdate(
    lab,
    client,
    bind,
    [`zone ${FORWARD}`, `update add h1.example.org. 300 DHCID ${DHCID}`],
    {
      key,
    },
  );
  assert.equal(dhcid.code, 0, `nsupdate failed:\n${dhcid.stdout}${dhcid.stderr}`);
  await bind.waitRecords('h1.example.org.', 'DHCID', [DHCID]);

  const records = await bind.zoneRecords(FORWARD);
  assert.equal(records.length, 5, records.join('\n')); // SOA, NS, ns A, h1 A, h1 DHCID
  assert.ok(records.includes('h1.example.org. 300 IN A 192.0.2.10'), records.join('\n'));
  assert.match(records[0] ?? '', /^example\.org\. 300 IN SOA /);
  await waitForLog(bind.log, /updating zone 'example\.org\/IN': adding an RR at 'h1\.example\.org' A 192\.0\.2\.10/, {
    name: 'named stderr',
  });
});

test('an update signed with a wrong secret is refused', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const { lab, client, bind, key } = s;
  const from = bind.log().length;

  const wrong: BindKey = { ...key, secret: randomBytes(32).toString('base64') };
  const run = await nsupdate(lab, client, bind, addHost('bad.example.org.', '192.0.2.66').slice(0, 3), {
    key: wrong,
  });
  assert.notEqual(run.code, 0, `nsupdate succeeded:\n${run.stdout}${run.stderr}`);
  assert.match(run.stdout + run.stderr, /NOTAUTH|BADSIG|tsig verify failure/i);
  await waitForLog(bind.log, /ddns-key.*(BADSIG|tsig verify failure)|(BADSIG|tsig verify failure).*ddns-key/i, {
    from,
    name: 'named stderr',
  });
  assert.deepEqual(await bind.query('bad.example.org.', 'A'), []);

  // Unsigned: refused as well (allow-update names the key).
  const unsigned = await nsupdate(lab, client, bind, addHost('bad.example.org.', '192.0.2.66').slice(0, 3));
  assert.notEqual(unsigned.code, 0, `unsigned nsupdate succeeded:\n${unsigned.stdout}${unsigned.stderr}`);
  assert.match(unsigned.stdout + unsigned.stderr, /REFUSED/);
  assert.deepEqual(await bind.query('bad.example.org.', 'A'), []);
});

test('stop() and start(): records survive in the journal, updates work again', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const { lab, client, bind, key } = s;

  const first = await nsupdate(lab, client, bind, addHost('h1.example.org.', '192.0.2.10'), { key });
  assert.equal(first.code, 0, `nsupdate failed:\n${first.stdout}${first.stderr}`);
  await bind.waitRecords('h1.example.org.', 'A', ['192.0.2.10']);
  await bind.waitRecords('10.2.0.192.in-addr.arpa.', 'PTR', ['h1.example.org.']);

  await bind.stop();
  assert.equal(bind.running(), false);
  await assert.rejects(bind.query('h1.example.org.', 'A'), /dig/);
  const down = await nsupdate(lab, client, bind, addHost('h2.example.org.', '192.0.2.11'), { key });
  assert.notEqual(down.code, 0, 'an update reached a stopped named');

  await bind.start();
  assert.deepEqual(await bind.query('h1.example.org.', 'A'), ['192.0.2.10']);
  assert.deepEqual(await bind.query('10.2.0.192.in-addr.arpa.', 'PTR'), ['h1.example.org.']);

  const second = await nsupdate(lab, client, bind, addHost('h2.example.org.', '192.0.2.11'), { key });
  assert.equal(second.code, 0, `nsupdate failed:\n${second.stdout}${second.stderr}`);
  await bind.waitRecords('h2.example.org.', 'A', ['192.0.2.11']);
  await bind.waitRecords('11.2.0.192.in-addr.arpa.', 'PTR', ['h2.example.org.']);
  assert.equal((await bind.zoneRecords(FORWARD)).length, 5); // SOA, NS, ns A, h1 A, h2 A
  assert.match(bind.log(), /running\n[\s\S]*running\n/); // both runs' output kept
});
