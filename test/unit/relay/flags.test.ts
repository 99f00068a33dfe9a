import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRelayFlags } from '../../../src/cli/relay.js';
import { rolesOf } from '../../../src/relay/daemon-start.js';

describe('leasehold relay flags (dhcrelay(8))', () => {
  it("takes dhcrelay's defaults", () => {
    const r = parseRelayFlags(['203.0.113.1']);
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.deepEqual(
      [r.flags.maxHops, r.flags.maxPacketSize, r.flags.agentMode, r.flags.port, r.flags.addAgentOptions],
      [10, 576, 'replace', 67, false],
    );
    assert.deepEqual(r.flags.servers, ['203.0.113.1']);
  });

  it('parses every flag, and refuses what dhcrelay refuses', () => {
    const r = parseRelayFlags(
      ['-d', '-q', '-a', '-D', '-A', '1400', '-c', '4', '-m', 'Discard', '-p', '1067'].concat([
        '-i',
        'a',
        '-iu',
        'b',
        '-id',
        'c',
        '--no-pid',
        '-pf',
        '/tmp/x.pid',
        's1',
        's2',
      ]),
    );
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.equal(r.flags.agentMode, 'discard');
    assert.deepEqual(r.flags.interfaces, [
      { name: 'a', upstream: true, downstream: true },
      { name: 'b', upstream: true, downstream: false },
      { name: 'c', upstream: false, downstream: true },
    ]);
    for (const bad of [[], ['-c', '256', 's'], ['-m', 'drop', 's'], ['-A', '9000', 's'], ['-x', 's'], ['-i']]) {
      assert.equal(parseRelayFlags(bad).ok, false, bad.join(' '));
    }
  });

  it('directions: merged per name; without named interfaces every interface both ways', () => {
    const roles = rolesOf([
      { name: 'a', upstream: true, downstream: false },
      { name: 'a', upstream: false, downstream: true },
      { name: 'b', upstream: true, downstream: false },
    ]);
    assert.deepEqual(roles('a'), { upstream: true, downstream: true });
    assert.deepEqual(roles('b'), { upstream: true, downstream: false });
    assert.deepEqual(roles('z'), { upstream: false, downstream: false });
    assert.deepEqual(rolesOf([])('z'), { upstream: true, downstream: true });
  });

  it('-U: one uplink, relayed on both ways, turns on -a; a second -U is refused as dhcrelay refuses it', () => {
    const r = parseRelayFlags(['-i', 'down0', '-U', 'up0', 's']);
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.equal(r.flags.uplink, 'up0');
    assert.equal(r.flags.addAgentOptions, true);
    assert.deepEqual(r.flags.interfaces, [
      { name: 'down0', upstream: true, downstream: true },
      { name: 'up0', upstream: true, downstream: true },
    ]);
    assert.deepEqual(parseRelayFlags(['-U', 'a', '-U', 'b', 's']), {
      ok: false,
      error: 'more than one uplink (-U) specified: b',
    });
    assert.deepEqual(parseRelayFlags(['-U']), { ok: false, error: 'No argument for command: -U' });
    assert.equal(parseRelayFlags(['-U', 'x'.repeat(16), 's']).ok, false);
  });

  it("-g: an address, else dhcrelay's usage error", () => {
    const r = parseRelayFlags(['-g', '192.0.2.254', 's']);
    assert.ok(r.ok && r.flags.fakeGateway === 0xc00002fe);
    for (const bad of ['192.0.2', '192.0.2.256', 'gw', '192.0.2.01']) {
      assert.deepEqual(parseRelayFlags(['-g', bad, 's']), { ok: false, error: `Invalid gateway address '${bad}'` });
    }
  });

  it('--server-id-override turns on -a, and counts in the 255-byte limit of option 82', () => {
    const r = parseRelayFlags(['--server-id-override', 's']);
    assert.ok(r.ok && r.flags.serverIdOverride && r.flags.addAgentOptions);
    const cid = `a=${'c'.repeat(250)}`; // a 252-byte circuit-id sub-option: fits alone, not with 6 more
    assert.equal(parseRelayFlags(['--circuit-id', cid, 's']).ok, true);
    const both = parseRelayFlags(['--circuit-id', cid, '--server-id-override', 's']);
    assert.ok(!both.ok && 'error' in both);
    assert.match(both.error, /^relay agent information for a would be 258 bytes; option 82 holds at most 255/);
  });
});
