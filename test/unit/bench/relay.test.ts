import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cpuPerExchangeUs,
  highestPassing,
  lastSustained,
  lowestFailing,
  relayRates,
  relaySummary,
  relayVerdicts,
  round3,
  sharedMachineLine,
} from '../../../bench/lib/relay.js';

test('round3 keeps three significant digits, as run.sh rounds its rates', () => {
  assert.equal(round3(8695), 8700);
  assert.equal(round3(4347.5), 4350);
  assert.equal(round3(17390), 17400);
  assert.equal(round3(123), 123);
  assert.equal(round3(99.6), 100);
  assert.equal(round3(42.4), 42);
  assert.equal(round3(0), 1);
});

test('RELAY_RATES: percentages of the base and absolute rates, in order, without duplicates', () => {
  assert.deepEqual(relayRates('25% 50%', 17390), [4350, 8700]);
  assert.deepEqual(relayRates('4000,50%  4000', 17390), [4000, 8700]);
  assert.deepEqual(relayRates('2500', undefined), [2500]);
  assert.deepEqual(relayRates('', 17390), []);
});

test('RELAY_RATES: a percentage without a base, or a word that is no rate, is refused', () => {
  assert.throws(() => relayRates('25%', undefined), /needs a base rate/);
  assert.throws(() => relayRates('25%', 0), /needs a base rate/);
  assert.throws(() => relayRates('fast', 1000), /not a rate/);
  assert.throws(() => relayRates('-5', 1000), /not a rate/);
});

const RESULTS = `# Leasehold benchmark results

<!-- scale:begin -->
| leasehold | 1 | 2 |
<!-- scale:end -->

<!-- dora:begin -->
## DHCPv4 rate against the peers (\`npm run bench\`)

### Highest sustained DORA rate (drops < 1 %, 10 s confirm run)

| server | version | offered /s | achieved DORA/s | drops % | DO avg / max ms |
|---|---|---:|---:|---:|---:|
| leasehold | Leasehold 0.1.0 (cd11cd9, node v20.20.2) | 17,400 | 17,390 | 0.06 | 8.782 / 139.4 |
| kea | Kea 2.2.0 | 12,200 | 12,199 | 0.00 | 0.185 / 6.2 |
| dnsmasq | dnsmasq 2.90 | not measured: server did not start | | | |

### Latency at half of Leasehold's highest sustained rate (8,700/s offered to every server, 10 s)

| server | offered /s | achieved DORA/s |
|---|---:|---:|
| leasehold | 8,700 | 8,650 |
<!-- dora:end -->
`;

test("the last sustained rate is read from the dora section's first table only", () => {
  assert.equal(lastSustained(RESULTS), 17390);
  assert.equal(lastSustained(RESULTS, 'kea'), 12199);
  assert.equal(lastSustained(RESULTS, 'dnsmasq'), undefined);
  assert.equal(lastSustained(RESULTS, 'dhcpd'), undefined);
  assert.equal(lastSustained('# nothing here\n'), undefined);
  assert.equal(lastSustained(RESULTS.replace('### Highest sustained', '### Something else')), undefined);
});

type Row = Record<string, string>;
function row(v: Record<string, string | number>): Row {
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

const ROWS: Row[] = [
  row({ relay: 'none', phase: 'fixed', offered: 4350, secs: 10, achieved: 4350, drops_pct: 0, ra_recv: 43500 }),
  row({
    relay: 'leasehold',
    phase: 'fixed',
    offered: 4350,
    secs: 10,
    achieved: 4349,
    drops_pct: 0.02,
    ra_recv: 43490,
    relay_cpu: 2.61,
    relay_utime: 2.0,
    relay_stime: 0.61,
    do_avg: 0.6,
    do_max: 3.1,
    ra_avg: 0.9,
    ra_max: 4.2,
    srv_cpu: 3.1,
    pd_cpu: 4,
    other_cpu: 0.1,
    load1: '1.10',
    load5: '1.20',
    load15: '1.30',
  }),
  row({
    relay: 'dhcrelay',
    phase: 'fixed',
    offered: 4350,
    secs: 10,
    achieved: 4000,
    drops_pct: 8,
    ra_recv: 40000,
    relay_cpu: 4,
  }),
  row({ relay: 'none', phase: 'search', offered: 13000, secs: 5, drops_pct: 0.5, ra_recv: 64700 }),
  row({ relay: 'none', phase: 'search', offered: 17400, secs: 5, drops_pct: 3, ra_recv: 84400 }),
  row({ relay: 'leasehold', phase: 'search', offered: 13000, secs: 5, drops_pct: 2, ra_recv: 63700, relay_cpu: 6.37 }),
];

test('relay CPU per completed DORA, in microseconds; none without ACKs or CPU', () => {
  assert.equal(Math.round(cpuPerExchangeUs(ROWS[1]!)!), 60);
  assert.equal(cpuPerExchangeUs(ROWS[0]!), undefined);
  assert.equal(cpuPerExchangeUs(row({ relay_cpu: 1, ra_recv: 0 })), undefined);
});

test('highest passing and lowest failing rate of a relay over all its steps', () => {
  assert.equal(highestPassing(ROWS, 'none', 1), 13000);
  assert.equal(lowestFailing(ROWS, 'none', 1), 17400);
  assert.equal(highestPassing(ROWS, 'leasehold', 1), 4350);
  assert.equal(lowestFailing(ROWS, 'leasehold', 1), 13000);
  assert.equal(highestPassing(ROWS, 'dhcrelay', 1), undefined);
});

test('a relay misses the aim only where it dropped at a rate the server alone passed', () => {
  const [ours, isc] = relayVerdicts(ROWS, 1);
  assert.match(ours!, /^- `leasehold relay`: dropped 1 % or more at 13,000\/s \(2\.00 %\).*up to 13,000\/s/);
  assert.match(ours!, /NOT met at those rates\.$/);
  assert.match(isc!, /^- ISC dhcrelay: dropped 1 % or more at 4,350\/s \(8\.00 %\)/);
  // Above the server's own passing rate, drops are the server's, not the relay's.
  const above = ROWS.slice(0, 2).concat(
    row({ relay: 'leasehold', phase: 'search', offered: 17400, drops_pct: 5, ra_recv: 80000, relay_cpu: 5 }),
  );
  assert.match(relayVerdicts(above, 1)[0]!, /met at the rates measured\.$/);
  assert.match(relayVerdicts(above, 1)[0]!, /relay CPU 60\.0–62\.5 µs per DORA/);
  // Without a passing baseline there is nothing to compare with.
  assert.match(relayVerdicts(ROWS.slice(1, 2), 1)[0]!, /no rate passed without a relay agent/);
});

test('the relay section: environment, fixed-rate table with load average, search table, verdicts', () => {
  const text = relaySummary(ROWS, ['date: 2026-12-07', 'load average at the start of the phase: 1.1 1.2 1.3'], 1);
  assert.match(text, /^ {4}date: 2026-12-07$/m);
  assert.match(text, /### Relayed DORA at fixed offered rates \(10 s each\)/);
  assert.match(
    text,
    /^\| 4,350 \| `leasehold relay` \| 4,349 \| 0\.02 \| 0\.600 \/ 3\.1 \| 0\.900 \/ 4\.2 \| 2\.61 \(2\.00\+0\.61\) \| 60\.0 \| 3\.10 \| 4\.00 \| 0\.10 \| 1\.10 1\.20 1\.30 \|$/m,
  );
  assert.match(text, /^\| 4,350 \| no relay agent \(perfdhcp relays, routed\) \| 4,350 \| 0\.00 \| .* \| — \| — \|/m);
  assert.match(text, /### Short search: highest offered rate with drops < 1 % \(5 s steps\)/);
  assert.match(
    text,
    /^\| no relay agent \(perfdhcp relays, routed\) \| 13,000 \| 17,400 \| 13,000:0\.5 17,400:3\.0 \|$/m,
  );
  assert.match(text, /^\| `leasehold relay` \| 4,350 \| 13,000 \| 13,000:2\.0 \(100\) \|$/m);
  assert.match(text, /### Against the aim \(issue 13\)/);
  assert.doesNotMatch(relaySummary(ROWS.slice(0, 3), [], 1), /Short search/);
});

test('a shared machine is called out when other work took more than 0.5 CPU-s in a step', () => {
  assert.equal(sharedMachineLine(ROWS), undefined);
  const busy = [
    row({ relay: 'none', phase: 'fixed', offered: 100, other_cpu: 0.2, load1: '1.50' }),
    row({ relay: 'leasehold', phase: 'fixed', offered: 100, other_cpu: 6.19, load1: '3.74' }),
  ];
  assert.equal(
    sharedMachineLine(busy),
    '- The machine was shared: other work took 0.20–6.19 CPU-s per step (load average 1.50–3.74 at the ' +
      "steps' start), so drops and latencies here are mostly the contention's; the relays' CPU per DORA is the " +
      'figure that carries over. Run again on a quiet machine.',
  );
  assert.match(relaySummary(busy, [], 1), /The machine was shared/);
});
