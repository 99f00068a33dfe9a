// A quick sanity check of the reader at scale (the 1,000,000-lease target is measured by the
// benchmark, not here): 20,000 leases written and read back, each one intact, by the fast path.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Lease } from '../../../src/leases/lease.js';
import { parseLeases } from '../../../src/leases/reader.js';
import { formatLeaseFile } from '../../../src/leases/writer.js';

describe('20,000 leases', () => {
  it('round-trip, and the fast reader reads what the full parser reads', () => {
    const leases: Lease[] = [];
    for (let i = 0; i < 20000; i++) {
      leases.push({
        kind: 'lease',
        address: (0xc6336400 + i) >>> 0, // from 198.51.100.0 on
        starts: 1704888000 + i,
        ends: 1704891600 + i,
        tstp: 1704891600 + i,
        cltt: 1704888000 + i,
        bindingState: i % 3 === 0 ? 'free' : 'active',
        nextBindingState: i % 3 === 0 ? undefined : 'free',
        hardware: { type: 1, address: new Uint8Array([0x52, 0x54, 0, i >> 16, (i >> 8) & 255, i & 255]) },
        uid: new Uint8Array([1, 0x52, 0x54, 0, i >> 16, (i >> 8) & 255, i & 255]),
        variables: [{ name: 'vendor-class-identifier', value: { type: 'data', data: new Uint8Array([77, 83]) } }],
        clientHostname: `host-${i}`,
      });
    }
    const text = [...formatLeaseFile(leases)].join('');
    const r = parseLeases(text, 'big.leases');
    assert.equal(r.error, undefined);
    assert.equal(r.leases.size, 20000);
    const sample = r.leases.get((0xc6336400 + 12345) >>> 0)!;
    assert.equal(sample.clientHostname, 'host-12345');
    assert.equal(sample.cltt, 1704888000 + 12345);
    const slow = parseLeases(text.slice(0, 200000), 'big.leases', { fastPath: false });
    const fast = parseLeases(text.slice(0, 200000), 'big.leases');
    assert.deepEqual(fast.records, slow.records);
  });
});
