// The other message types through the running server and its UDP transport, with crafted packets
// (probe-child.ts): INFORM answered by unicast to ciaddr without a lease time, an authoritative NAK
// broadcast to a client claiming another network's address, DECLINE writing the address abandoned,
// and a BOOTP client with a fixed address answered with a BOOTREPLY.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitForLog } from '../lib/wait.js';
import {
  SERVER_ADDR,
  seedServerConf,
  serverFiles,
  startLeasehold,
  tempDir,
  topology,
  waitForLease,
} from './harness.js';
import type { ProbeInput, ProbeResult } from './probe-child.js';

const PROBE = fileURLToPath(new URL('./probe-child.js', import.meta.url));
const CLIENT_ADDR = '192.0.2.50';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

/** The BOOTP host is the probe's own NIC: ISC frames a fixed-address host's broadcast BOOTREPLY to chaddr. */
const conf = (bootpMac: string) => `${seedServerConf()}
host bootp1 {
  hardware ethernet ${bootpMac};
  fixed-address 192.0.2.60;
}
`;

test('INFORM, authoritative NAK, DECLINE and BOOTP through the running server', async (t) => {
  if (!requireRoot(t)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client, clientMac } = await topology(lab);
  await lab.addAddress(client, 'ep0', `${CLIENT_ADDR}/24`);
  const files = serverFiles(dir, conf(clientMac));
  const srv = await startLeasehold(lab, server, files);
  const probe = async (step: ProbeInput['step'], mac: string) => {
    const input: ProbeInput = { address: CLIENT_ADDR, server: SERVER_ADDR, step, mac };
    return (await lab.runNode<ProbeResult>(client, PROBE, input, { timeoutMs: 40_000 })).result.replies;
  };

  const [inform] = await probe('inform', '02:00:00:00:1f:01');
  assert.ok(inform, srv.stderr());
  assert.equal(inform.type, 5);
  assert.equal(inform.via, 'unicast', 'an INFORM is answered at ciaddr');
  assert.equal(inform.options.includes(51), false, 'no lease time for an INFORM');
  assert.ok(inform.options.includes(3) && inform.options.includes(15), inform.options.join(','));
  // Each reply can reach the probe before the server's (batched) log line about it reaches this process.
  await waitForLog(srv, /DHCPINFORM from 192\.0\.2\.50 via srv0/);

  const [nak] = await probe('nak', '02:00:00:00:4a:01');
  assert.ok(nak, srv.stderr());
  assert.equal(nak.type, 6);
  assert.equal(nak.via, 'broadcast');
  await waitForLog(srv, /DHCPNAK on 198\.51\.100\.5 to 02:00:00:00:4a:01 via srv0/);

  const declined = await probe('decline', '02:00:00:00:dc:01');
  const offered = declined.find((r) => r.type === 2)?.yiaddr ?? '';
  assert.match(offered, /^192\.0\.2\.1[0-9][0-9]$/, JSON.stringify(declined));
  // A DECLINE has no reply: the log line, then the record in the file, come when they come.
  await waitForLog(srv, `Abandoning IP address ${offered}: declined.`);
  await waitForLease(files.leases, offered, /^ {2}binding state abandoned;/m);

  const [bootp] = await probe('bootp', clientMac);
  assert.ok(bootp, srv.stderr());
  assert.equal(bootp.type, undefined, 'a BOOTREPLY has no DHCP message type');
  assert.equal(bootp.yiaddr, '192.0.2.60');
  await waitForLog(srv, `BOOTREPLY for 192.0.2.60 to bootp1 (${clientMac}) via srv0`);
  assert.equal((await srv.stop(5000)).code, 0);
});
