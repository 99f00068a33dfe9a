// Bounded fuzzing inside the unit suite: 100,000 mutated messages, plus frames and option 82 data.
// The decoders must never throw, never report 'internal', and what they accept must be self-consistent.
// Seeded: a failure message names the seed and the input in hex; `npm run fuzz` runs longer campaigns.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage } from '../../../src/wire/decode.js';
import { encodeMessage } from '../../../src/wire/encode.js';
import { parseFrame } from '../../../src/wire/frame.js';
import { bytesToHex } from '../../../src/wire/hex.js';
import type { DhcpMessage } from '../../../src/wire/message.js';
import { decodeRelayAgentInfo } from '../../../src/wire/relay-agent.js';
import { buildCorpus } from './corpus.js';
import { checkMessage, checkRoundTrip } from './invariants.js';
import { makeRng, mutate, randInt } from './mutate.js';

const SEED = 0x5eed0004;

function fail(what: string, input: Uint8Array, problem: string): never {
  assert.fail(`${what} (seed 0x${SEED.toString(16)}): ${problem}\ninput: ${bytesToHex(input)}`);
}

describe('fuzz (bounded, seeded)', () => {
  const corpus = buildCorpus();

  it('decodeMessage survives 100,000 mutated messages', () => {
    const rng = makeRng(SEED);
    let accepted = 0;
    for (let i = 0; i < 100_000; i++) {
      const input = mutate(rng, corpus.messages[randInt(rng, corpus.messages.length)]!);
      let result: ReturnType<typeof decodeMessage>;
      try {
        result = decodeMessage(input);
      } catch (e) {
        fail('decodeMessage threw', input, String(e));
      }
      if (!result.ok) {
        if (result.error.cause === 'internal') fail('decoder bug', input, result.error.detail);
        continue;
      }
      accepted++;
      const m: DhcpMessage = result.message;
      const problem = checkMessage(m, input) ?? (i % 8 === 0 ? checkRoundTrip(m) : undefined);
      if (problem) fail('inconsistent decode', input, problem);
    }
    // The mutations must leave enough valid messages to exercise the accepting paths too.
    assert.ok(accepted > 20_000, `only ${accepted} accepted`);
  });

  it('parseFrame survives 30,000 mutated frames', () => {
    const rng = makeRng(SEED + 1);
    for (let i = 0; i < 30_000; i++) {
      const input = mutate(rng, corpus.frames[randInt(rng, corpus.frames.length)]!, true);
      try {
        const r = parseFrame(input);
        if (r.ok && r.datagram.payload.length > input.length) fail('parseFrame', input, 'payload beyond input');
      } catch (e) {
        fail('parseFrame threw', input, String(e));
      }
    }
  });

  it('decodeRelayAgentInfo survives 30,000 mutated sub-option lists', () => {
    const rng = makeRng(SEED + 2);
    const base = new Uint8Array([1, 4, 0x65, 0x74, 0x68, 0x30, 2, 2, 1, 2, 5, 4, 198, 51, 100, 0, 19, 0]);
    for (let i = 0; i < 30_000; i++) {
      const input = mutate(rng, base).subarray(0, 300);
      try {
        const r = decodeRelayAgentInfo(input);
        if (r.ok) {
          const total = r.subOptions.reduce((n, s) => n + 2 + s.data.length, 0);
          if (total !== input.length) fail('decodeRelayAgentInfo', input, `accounted ${total} bytes`);
        }
      } catch (e) {
        fail('decodeRelayAgentInfo threw', input, String(e));
      }
    }
  });

  it('still decodes every corpus entry unmutated', () => {
    for (const m of corpus.messages) {
      const r = decodeMessage(m);
      assert.ok(r.ok, bytesToHex(m));
      assert.equal(checkMessage(r.message, m) ?? checkRoundTrip(r.message), undefined);
    }
    for (const f of corpus.frames) assert.ok(parseFrame(f).ok);
    assert.equal(encodeMessage({ op: 1 }).bytes.length, 300);
  });
});
