// Long fuzz campaign for src/wire/, started by hand: `npm run fuzz -- --seconds 600`.
// Mutates the same corpus as the unit suite's bounded fuzz test, checks the same invariants, and
// prints the seed plus every failing input as hex so it can be replayed (`--seed`, and the same
// --iterations reproduce the run exactly).
//
//   --iterations N   stop after N inputs (default 10,000,000)
//   --seconds S      stop after S seconds (default 60)
//   --seed X         PRNG seed, decimal or 0x-hex (default: random, printed)
//   --max-failures K stop after K failures (default 20)

import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { decodeMessage } from '../src/wire/decode.js';
import { parseFrame } from '../src/wire/frame.js';
import { bytesToHex } from '../src/wire/hex.js';
import { decodeRelayAgentInfo } from '../src/wire/relay-agent.js';
import { buildCorpus } from '../test/unit/wire/corpus.js';
import { checkMessage, checkRoundTrip } from '../test/unit/wire/invariants.js';
import { makeRng, mutate, randInt } from '../test/unit/wire/mutate.js';

function number(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`fuzz-wire: --${name} wants a non-negative number, got "${text}"`);
    process.exit(2);
  }
  return n;
}

const { values } = parseArgs({
  options: {
    iterations: { type: 'string' },
    seconds: { type: 'string' },
    seed: { type: 'string' },
    'max-failures': { type: 'string' },
  },
});
const iterations = number(values.iterations, 10_000_000, 'iterations');
const seconds = number(values.seconds, 60, 'seconds');
const seed = number(values.seed, randomInt(0, 2 ** 32), 'seed') >>> 0;
const maxFailures = number(values['max-failures'], 20, 'max-failures');

const corpus = buildCorpus();
const rng = makeRng(seed);
const relayBase = new Uint8Array([1, 4, 0x65, 0x74, 0x68, 0x30, 2, 2, 1, 2, 5, 4, 198, 51, 100, 0, 19, 0]);
const counts = new Map<string, number>();
let failures = 0;

function report(i: number, what: string, input: Uint8Array, problem: string): void {
  failures++;
  console.log(`FAIL #${failures} at iteration ${i} (seed 0x${seed.toString(16)}): ${what}: ${problem}`);
  console.log(`  input (${input.length} bytes): ${bytesToHex(input)}`);
}

function count(key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function runOne(i: number): void {
  const target = randInt(rng, 10);
  if (target < 7) {
    const input = mutate(rng, corpus.messages[randInt(rng, corpus.messages.length)]!);
    try {
      const r = decodeMessage(input);
      if (!r.ok) {
        count(`message ${r.error.cause}`);
        if (r.error.cause === 'internal') report(i, 'decodeMessage', input, r.error.detail);
        return;
      }
      count(`message ok/${r.message.cookie}/overload ${r.message.overload}`);
      const problem = checkMessage(r.message, input) ?? checkRoundTrip(r.message);
      if (problem) report(i, 'decodeMessage', input, problem);
    } catch (e) {
      report(i, 'decodeMessage threw', input, String(e));
    }
  } else if (target < 9) {
    const input = mutate(rng, corpus.frames[randInt(rng, corpus.frames.length)]!, true);
    try {
      const r = parseFrame(input);
      count(r.ok ? 'frame ok' : `frame ${r.error.cause}`);
    } catch (e) {
      report(i, 'parseFrame threw', input, String(e));
    }
  } else {
    const input = mutate(rng, relayBase).subarray(0, 300);
    try {
      const r = decodeRelayAgentInfo(input);
      count(r.ok ? 'option 82 ok' : `option 82 ${r.error.cause}`);
    } catch (e) {
      report(i, 'decodeRelayAgentInfo threw', input, String(e));
    }
  }
}

console.log(`fuzz-wire: seed 0x${seed.toString(16)}, up to ${iterations} inputs or ${seconds} s`);
const started = Date.now();
const deadline = started + seconds * 1000;
let done = 0;
while (done < iterations && failures < maxFailures) {
  runOne(done);
  done++;
  if (done % 1000 === 0 && Date.now() >= deadline) break;
}
const elapsed = (Date.now() - started) / 1000;
console.log(
  `fuzz-wire: ${done} inputs in ${elapsed.toFixed(1)} s, ${failures} failure(s), seed 0x${seed.toString(16)}`,
);
for (const [key, n] of [...counts].sort()) console.log(`  ${key}: ${n}`);
process.exitCode = failures > 0 ? 1 : 0;
