// Classification alone: the server's class matcher (src/server/classify.ts evalClassifier) over
// decoded requests, with bench/configs/dhcpd-classes.conf (50 classes, 200 subclasses) and the
// packets of run.sh's classes phase (the harness's MACs, option 60 "MSFT 5.0", option 82 with a
// circuit-id). Prints ns per classified packet and how many memberships it found; a micro-benchmark
// to compare two builds, not a test. `node dist/bench/classify.js` (CLASSIFY_PACKETS, CLASSIFY_ROUNDS).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDhcpdConfText } from '../src/conf/index.js';
import { buildScopeTree } from '../src/conf/scope-tree.js';
import { evalClassifier } from '../src/server/classify.js';
import { BOOTREQUEST, decodeMessage, encodeMessage } from '../src/wire/index.js';
import { macList } from './lib/classes-conf.js';
import { BENCH_SRC_DIR } from './results-file.js';

const PACKETS = Number(process.env.CLASSIFY_PACKETS ?? 50_000);
const ROUNDS = Number(process.env.CLASSIFY_ROUNDS ?? 5);

function main(): void {
  const conf = parseDhcpdConfText(readFileSync(resolve(BENCH_SRC_DIR, 'configs/dhcpd-classes.conf'), 'utf8'));
  if (conf.conf === undefined) throw new Error(conf.error?.message);
  const tree = buildScopeTree(conf.conf, conf.catalogue);
  const requests = macList(PACKETS, 20261122).map((mac, i) => {
    const chaddr = Uint8Array.from(mac.split(':').map((x) => Number.parseInt(x, 16)));
    const bytes = encodeMessage({
      op: BOOTREQUEST,
      htype: 1,
      xid: i + 1,
      giaddr: 0xc6336402,
      hops: 1,
      chaddr,
      options: [
        [53, Uint8Array.of(1)],
        [60, Uint8Array.from(Buffer.from('MSFT 5.0'))],
        [82, Uint8Array.from([1, 8, ...Buffer.from('ge-0/0/7')])],
      ],
    }).bytes.slice();
    const d = decodeMessage(bytes);
    if (!d.ok) throw new Error('decode');
    return d.message;
  });
  for (let round = 0; round < ROUNDS; round++) {
    let members = 0;
    const t0 = process.hrtime.bigint();
    for (const r of requests) members += evalClassifier(r, tree).length;
    const ns = Number(process.hrtime.bigint() - t0) / requests.length;
    console.log(
      `round ${round + 1}: ${ns.toFixed(0)} ns per packet, ${(members / requests.length).toFixed(3)} classes per packet`,
    );
  }
}

main();
