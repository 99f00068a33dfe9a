import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addAgentOption, stripAgentOption } from '../../../src/relay/agent-options.js';
import { RELAY_DEFAULTS, type RelayInterface, type RelaySettings, relay } from '../../../src/relay/engine.js';
import { decodeMessage } from '../../../src/wire/decode.js';
import { encodeMessage } from '../../../src/wire/encode.js';
import { parseIpv4 } from '../../../src/wire/ip.js';
import { decodeRelayAgentInfo, encodeRelayAgentInfo, RAI_CIRCUIT_ID } from '../../../src/wire/relay-agent.js';

const ip = (s: string) => parseIpv4(s)!;
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const CHADDR = new Uint8Array([0x02, 0, 0, 0, 0, 0x2a]);
const SERVER = ip('203.0.113.1');

const down: RelayInterface = {
  name: 'down0',
  addresses: [ip('192.0.2.1')],
  masks: [ip('255.255.255.0')],
  upstream: true,
  downstream: true,
  circuitId: bytes('down0'),
};
const up: RelayInterface = {
  name: 'up0',
  addresses: [ip('198.51.100.2')],
  masks: [ip('255.255.255.0')],
  upstream: true,
  downstream: true,
  circuitId: bytes('up0'),
};
const IFACES = [down, up];

function settings(extra: Partial<RelaySettings> = {}): RelaySettings {
  return { ...RELAY_DEFAULTS, servers: [SERVER], ...extra };
}

function request(opts: { hops?: number; giaddr?: number; agent?: Uint8Array; hlen?: number } = {}): Uint8Array {
  const options: [number, Uint8Array][] = [
    [53, new Uint8Array([1])],
    [55, new Uint8Array([1, 3, 6])],
  ];
  if (opts.agent) options.push([82, opts.agent]);
  options.push([12, bytes('host')]);
  return encodeMessage({
    op: 1,
    htype: 1,
    hlen: opts.hlen ?? 6,
    hops: opts.hops ?? 0,
    xid: 0x1234,
    giaddr: opts.giaddr ?? 0,
    chaddr: CHADDR,
    options,
  }).bytes.slice();
}

function reply(opts: { broadcast?: boolean; giaddr?: number; agent?: Uint8Array } = {}): Uint8Array {
  const options: [number, Uint8Array][] = [
    [53, new Uint8Array([2])],
    [54, new Uint8Array([203, 0, 113, 1])],
  ];
  if (opts.agent) options.push([82, opts.agent]);
  return encodeMessage({
    op: 2,
    htype: 1,
    hlen: 6,
    xid: 0x1234,
    flags: opts.broadcast ? 0x8000 : 0,
    yiaddr: ip('192.0.2.100'),
    giaddr: opts.giaddr ?? down.addresses[0],
    chaddr: CHADDR,
    options,
  }).bytes.slice();
}

const circuit = (name: string) => encodeRelayAgentInfo([{ code: RAI_CIRCUIT_ID, data: bytes(name) }]);

function decoded(p: Uint8Array) {
  const d = decodeMessage(p);
  assert.ok(d.ok);
  return d.message;
}

describe('relay engine: requests', () => {
  it('sets giaddr to the receiving interface, increments hops, sends to every server', () => {
    const r = relay({ payload: request(), iface: down }, IFACES, settings({ servers: [SERVER, ip('203.0.113.2')] }));
    assert.equal(r.decision.kind, 'servers');
    if (r.decision.kind !== 'servers') return;
    const m = decoded(r.decision.payload);
    assert.equal(m.giaddr, down.addresses[0]);
    assert.equal(m.hops, 1);
    assert.deepEqual(r.decision.servers, [SERVER, ip('203.0.113.2')]);
    assert.equal(m.options.has(82), false, 'no option 82 without -a');
  });

  it('keeps a giaddr set by a relay before it', () => {
    const r = relay({ payload: request({ giaddr: ip('192.0.2.77'), hops: 3 }), iface: down }, IFACES, settings());
    assert.equal(r.decision.kind, 'servers');
    if (r.decision.kind !== 'servers') return;
    assert.equal(decoded(r.decision.payload).giaddr, ip('192.0.2.77'));
    assert.equal(decoded(r.decision.payload).hops, 4);
  });

  it('drops a request at the hop limit (-c), default 10', () => {
    assert.equal(relay({ payload: request({ hops: 9 }), iface: down }, IFACES, settings()).decision.kind, 'servers');
    const r = relay({ payload: request({ hops: 10 }), iface: down }, IFACES, settings());
    assert.deepEqual([r.decision.kind, r.decision.kind === 'drop' && r.decision.cause], ['drop', 'hop-limit']);
    const c2 = relay({ payload: request({ hops: 2 }), iface: down }, IFACES, settings({ maxHops: 2 }));
    assert.equal(c2.decision.kind, 'drop');
  });

  it('ignores its own forward seen again (giaddr is ours), and requests unicast to another host', () => {
    const own = relay({ payload: request({ giaddr: down.addresses[0] }), iface: up }, IFACES, settings());
    assert.deepEqual(own.decision, { kind: 'ignore', reason: 'own-request' });
    const other = relay({ payload: request(), iface: down, destination: SERVER }, IFACES, settings());
    assert.deepEqual(other.decision, { kind: 'ignore', reason: 'not-for-us' });
    for (const dst of [0xffffffff, down.addresses[0]!, ip('192.0.2.255')]) {
      assert.equal(
        relay({ payload: request(), iface: down, destination: dst }, IFACES, settings()).decision.kind,
        'servers',
      );
    }
  });

  it('relays requests only from downstream interfaces, and needs an address on them', () => {
    const upOnly = { ...up, downstream: false };
    const r = relay({ payload: request(), iface: upOnly }, [down, upOnly], settings());
    assert.equal(r.decision.kind === 'drop' && r.decision.cause, 'request-not-downstream');
    const bare = { ...down, addresses: [], masks: [] };
    assert.equal(relay({ payload: request(), iface: bare }, IFACES, settings()).decision.kind, 'drop');
    assert.equal(relay({ payload: request(), iface: undefined }, IFACES, settings()).decision.kind, 'drop');
  });

  it('drops a packet with hlen over 16 and a truncated one', () => {
    const bad = request();
    bad[2] = 17;
    const r = relay({ payload: bad, iface: down }, IFACES, settings());
    assert.equal(r.decision.kind === 'drop' && r.decision.cause, 'bad-hlen');
    const short = relay({ payload: request().subarray(0, 100), iface: down }, IFACES, settings());
    assert.equal(short.decision.kind === 'drop' && short.decision.cause, 'bad-packet');
  });
});

describe('relay engine: option 82 on requests (-a, -m, -A)', () => {
  const a = (extra: Partial<RelaySettings> = {}) => settings({ addAgentOptions: true, ...extra });

  it('-a adds circuit-id = interface name last, keeping the other options in order', () => {
    const r = relay({ payload: request(), iface: down }, IFACES, a());
    assert.equal(r.decision.kind, 'servers');
    if (r.decision.kind !== 'servers') return;
    const m = decoded(r.decision.payload);
    assert.deepEqual([...m.options.keys()], [53, 55, 12, 82]);
    const subs = decodeRelayAgentInfo(m.options.get(82)!);
    assert.ok(subs.ok);
    assert.deepEqual(
      subs.subOptions.map((s) => [s.code, Buffer.from(s.data).toString()]),
      [[1, 'down0']],
    );
    assert.ok(r.decision.payload.length >= 300);
  });

  it('-m replace (default) replaces theirs; append keeps both; forward leaves the packet; discard drops', () => {
    const theirs = circuit('far');
    const withAgent = () => request({ agent: theirs, giaddr: ip('192.0.2.9') });
    const rep = relay({ payload: withAgent(), iface: down }, IFACES, a());
    assert.equal(rep.decision.kind, 'servers');
    if (rep.decision.kind === 'servers') {
      assert.deepEqual(Buffer.from(decoded(rep.decision.payload).options.get(82)!), Buffer.from(circuit('down0')));
    }
    const app = relay({ payload: withAgent(), iface: down }, IFACES, a({ agentMode: 'append' }));
    if (app.decision.kind === 'servers') {
      // Two instances, concatenated by the decoder (RFC 3396): theirs then ours.
      const joined = decoded(app.decision.payload).options.get(82)!;
      assert.deepEqual(Buffer.from(joined), Buffer.concat([theirs, circuit('down0')]));
    } else assert.fail('append forwards');
    const fwd = relay({ payload: withAgent(), iface: down }, IFACES, a({ agentMode: 'forward' }));
    if (fwd.decision.kind === 'servers') {
      assert.deepEqual(Buffer.from(decoded(fwd.decision.payload).options.get(82)!), Buffer.from(theirs));
      assert.equal(decoded(fwd.decision.payload).hops, 1, 'still counted as a hop');
    } else assert.fail('forward forwards');
    const dis = relay({ payload: withAgent(), iface: down }, IFACES, a({ agentMode: 'discard' }));
    assert.equal(dis.decision.kind === 'drop' && dis.decision.cause, 'agent-option-present');
    // Without -a, -m has no effect (ISC: the whole check is under -a).
    const off = relay({ payload: withAgent(), iface: down }, IFACES, settings({ agentMode: 'discard' }));
    assert.equal(off.decision.kind, 'servers');
  });

  it('-A too small: forwarded without option 82, counted and said', () => {
    const big = request();
    const r = relay({ payload: big, iface: down }, IFACES, a({ maxPacketSize: 300 }));
    assert.equal(r.decision.kind, 'servers');
    if (r.decision.kind !== 'servers') return;
    assert.equal(decoded(r.decision.payload).options.has(82), true, 'fits in 300 after the padding is reclaimed');
    const tight = addAgentOption(big, circuit('x'.repeat(100)), 'replace', 300);
    assert.ok(tight.ok && tight.noRoom !== undefined && !tight.added);
    const r2 = relay(
      { payload: big, iface: { ...down, circuitId: bytes('y'.repeat(100)) } },
      IFACES,
      a({ maxPacketSize: 300 }),
    );
    assert.deepEqual(r2.counts, ['agent-option-no-room']);
    assert.match(r2.log[0] ?? '', /^No room in packet \(used \d+ of 300\) for 105-byte relay agent option: omitted$/);
  });

  it('a BOOTP request (no cookie) is forwarded without option 82', () => {
    const bootp = encodeMessage({ op: 1, htype: 1, hlen: 6, chaddr: CHADDR, vendor: new Uint8Array(64) }).bytes.slice();
    const r = relay({ payload: bootp, iface: down }, IFACES, a());
    assert.equal(r.decision.kind, 'servers');
    if (r.decision.kind === 'servers') assert.equal(decoded(r.decision.payload).giaddr, down.addresses[0]);
  });
});

describe('relay engine: replies', () => {
  it('unicasts to yiaddr at chaddr out of the interface giaddr belongs to, or broadcasts with the flag', () => {
    const r = relay({ payload: reply(), iface: up }, IFACES, settings());
    assert.equal(r.decision.kind, 'client');
    if (r.decision.kind !== 'client') return;
    assert.equal(r.decision.iface.name, 'down0');
    assert.deepEqual(r.decision.to, {
      kind: 'link',
      address: ip('192.0.2.100'),
      htype: 1,
      hardware: CHADDR,
      source: down.addresses[0],
    });
    const b = relay({ payload: reply({ broadcast: true }), iface: up }, IFACES, settings());
    assert.deepEqual(b.decision.kind === 'client' && b.decision.to, { kind: 'broadcast', source: down.addresses[0] });
  });

  it('drops a reply to a giaddr that is not ours, and replies on a downstream-only interface', () => {
    const r = relay({ payload: reply({ giaddr: ip('192.0.2.50') }), iface: up }, IFACES, settings());
    assert.equal(r.decision.kind === 'drop' && r.decision.cause, 'bogus-giaddr');
    const downOnly = { ...up, upstream: false };
    const d = relay({ payload: reply(), iface: downOnly }, [down, downOnly], settings());
    assert.equal(d.decision.kind === 'drop' && d.decision.cause, 'reply-not-upstream');
    // Over UDP sockets the receiving interface of a reply is not known: taken.
    assert.equal(relay({ payload: reply(), iface: undefined }, IFACES, settings()).decision.kind, 'client');
  });

  it('with -a strips option 82 and follows its circuit-id; without -a leaves it', () => {
    const r = relay(
      { payload: reply({ agent: circuit('down0') }), iface: up },
      IFACES,
      settings({ addAgentOptions: true }),
    );
    assert.equal(r.decision.kind, 'client');
    if (r.decision.kind === 'client') {
      const m = decoded(r.decision.payload);
      assert.equal(m.options.has(82), false);
      assert.deepEqual([...m.options.keys()], [53, 54]);
      assert.ok(r.decision.payload.length >= 300);
    }
    const keep = relay({ payload: reply({ agent: circuit('down0') }), iface: up }, IFACES, settings());
    assert.equal(keep.decision.kind === 'client' && decoded(keep.decision.payload).options.has(82), true);
    // The circuit-id names the interface even when giaddr does not.
    const byCircuit = relay(
      { payload: reply({ agent: circuit('up0'), giaddr: down.addresses[0] }), iface: up },
      IFACES,
      settings({ addAgentOptions: true }),
    );
    assert.equal(byCircuit.decision.kind === 'client' && byCircuit.decision.iface.name, 'up0');
  });

  it('-D drops replies whose circuit-id is not ours or that have none; without -D they are counted', () => {
    const aD = settings({ addAgentOptions: true, dropMismatches: true });
    const bad = relay({ payload: reply({ agent: circuit('elsewhere') }), iface: up }, IFACES, aD);
    assert.equal(bad.decision.kind === 'drop' && bad.decision.cause, 'bad-circuit-id');
    const none = relay({ payload: reply(), iface: up }, IFACES, aD);
    assert.equal(none.decision.kind === 'drop' && none.decision.cause, 'missing-agent-option');
    const noCircuit = relay(
      { payload: reply({ agent: encodeRelayAgentInfo([{ code: 2, data: bytes('r') }]) }), iface: up },
      IFACES,
      aD,
    );
    assert.equal(noCircuit.decision.kind === 'drop' && noCircuit.decision.cause, 'missing-circuit-id');
    const counted = relay(
      { payload: reply({ agent: circuit('elsewhere') }), iface: up },
      IFACES,
      settings({ addAgentOptions: true }),
    );
    assert.equal(counted.decision.kind, 'client');
    assert.deepEqual(counted.counts, ['bad-circuit-id', 'missing-agent-option']);
  });

  it('stripAgentOption leaves BOOTP replies and an option 82 before the message type alone', () => {
    const p = reply({ agent: circuit('down0') });
    const s = stripAgentOption(p, () => 'down0', false);
    assert.ok(s.ok && s.circuit === 'down0');
    const early = encodeMessage({
      op: 2,
      hlen: 6,
      chaddr: CHADDR,
      options: [
        [82, circuit('down0')],
        [53, new Uint8Array([5])],
      ],
    }).bytes.slice();
    const e = stripAgentOption(early, () => 'down0', false);
    assert.ok(e.ok && decoded(e.packet).options.has(82));
  });
});

describe('relay engine: -U, RFC 3527 link selection (add_relay_agent_options)', () => {
  const U = (extra: Partial<RelaySettings> = {}) => settings({ addAgentOptions: true, uplink: 'up0', ...extra });
  const subs = (p: Uint8Array) => {
    const d = decodeRelayAgentInfo(decoded(p).options.get(82)!);
    assert.ok(d.ok);
    return d.subOptions.map((s) => [s.code, [...s.data]]);
  };

  it('a directly connected client: circuit-id, then link-selection = the receiving address; giaddr = the uplink', () => {
    const r = relay({ payload: request(), iface: down }, IFACES, U());
    assert.equal(r.decision.kind, 'servers');
    if (r.decision.kind !== 'servers') return;
    const m = decoded(r.decision.payload);
    assert.equal(m.giaddr, up.addresses[0]);
    assert.equal(m.hops, 1);
    assert.deepEqual(subs(r.decision.payload), [
      [1, [...bytes('down0')]],
      [5, [192, 0, 2, 1]],
    ]);
    // With a remote-id: ISC's order, circuit-id, remote-id, link-selection.
    const withRemote = { ...down, remoteId: bytes('rid') };
    const r2 = relay({ payload: request(), iface: withRemote }, [withRemote, up], U());
    assert.ok(r2.decision.kind === 'servers');
    assert.deepEqual(
      subs(r2.decision.payload).map(([c]) => c),
      [1, 2, 5],
    );
  });

  it('a request another relay already gave a giaddr: no link-selection, its giaddr kept', () => {
    const r = relay({ payload: request({ giaddr: ip('192.0.2.77'), hops: 1 }), iface: down }, IFACES, U());
    assert.ok(r.decision.kind === 'servers');
    assert.equal(decoded(r.decision.payload).giaddr, ip('192.0.2.77'));
    assert.deepEqual(subs(r.decision.payload), [[1, [...bytes('down0')]]]);
  });

  it('our option 82 not added (no room, -m forward, BOOTP): giaddr is the receiving interface, as without -U', () => {
    const tight = { ...down, circuitId: bytes('y'.repeat(100)) };
    const noRoom = relay({ payload: request(), iface: tight }, [tight, up], U({ maxPacketSize: 300 }));
    assert.ok(noRoom.decision.kind === 'servers');
    assert.equal(decoded(noRoom.decision.payload).giaddr, down.addresses[0]);
    assert.deepEqual(noRoom.counts, ['agent-option-no-room']);
    const theirs = circuit('far');
    const fwd = relay({ payload: request({ agent: theirs }), iface: down }, IFACES, U({ agentMode: 'forward' }));
    assert.ok(fwd.decision.kind === 'servers');
    assert.equal(decoded(fwd.decision.payload).giaddr, down.addresses[0]);
    assert.deepEqual(Buffer.from(decoded(fwd.decision.payload).options.get(82)!), Buffer.from(theirs));
    const bootp = encodeMessage({ op: 1, htype: 1, hlen: 6, chaddr: CHADDR, vendor: new Uint8Array(64) }).bytes.slice();
    const b = relay({ payload: bootp, iface: down }, IFACES, U());
    assert.ok(b.decision.kind === 'servers');
    assert.equal(decoded(b.decision.payload).giaddr, down.addresses[0]);
  });

  it('an uplink without an address drops the request, said and counted', () => {
    const bare = { ...up, addresses: [], masks: [] };
    const r = relay({ payload: request(), iface: down }, [down, bare], U());
    assert.equal(r.decision.kind === 'drop' && r.decision.cause, 'no-uplink-address');
    const gone = relay({ payload: request(), iface: down }, [down], U());
    assert.equal(gone.decision.kind === 'drop' && gone.decision.cause, 'no-uplink-address');
  });

  it('our forward seen again (giaddr = the uplink) is ignored; the reply to the uplink goes out by circuit-id', () => {
    const own = relay({ payload: request({ giaddr: up.addresses[0] }), iface: up }, IFACES, U());
    assert.deepEqual(own.decision, { kind: 'ignore', reason: 'own-request' });
    const r = relay({ payload: reply({ giaddr: up.addresses[0], agent: circuit('down0') }), iface: up }, IFACES, U());
    assert.equal(r.decision.kind, 'client');
    if (r.decision.kind !== 'client') return;
    assert.equal(r.decision.iface.name, 'down0');
    assert.equal(r.decision.to.source, down.addresses[0]);
    assert.equal(decoded(r.decision.payload).options.has(82), false);
  });
});

describe('relay engine: -g, the giaddr replies to clients carry (use_fake_gw)', () => {
  const GW = ip('192.0.2.254');
  it('replaces giaddr in the reply sent to the client, whatever its route; the request is untouched', () => {
    const r = relay({ payload: reply(), iface: up }, IFACES, settings({ fakeGateway: GW }));
    assert.equal(r.decision.kind, 'client');
    if (r.decision.kind !== 'client') return;
    assert.equal(decoded(r.decision.payload).giaddr, GW);
    assert.equal(r.decision.iface.name, 'down0', 'still routed by the giaddr it came with');
    const a = relay(
      { payload: reply({ agent: circuit('down0') }), iface: up },
      IFACES,
      settings({ addAgentOptions: true, fakeGateway: GW }),
    );
    assert.ok(a.decision.kind === 'client');
    const m = decoded(a.decision.payload);
    assert.deepEqual([m.giaddr, m.options.has(82)], [GW, false]);
    const req = relay({ payload: request(), iface: down }, IFACES, settings({ fakeGateway: GW }));
    assert.ok(req.decision.kind === 'servers');
    assert.equal(decoded(req.decision.payload).giaddr, down.addresses[0]);
    // The received packet is not written over.
    const p = reply();
    relay({ payload: p, iface: up }, IFACES, settings({ fakeGateway: GW }));
    assert.equal(decoded(p).giaddr, down.addresses[0]);
  });
});

describe('relay engine: --server-id-override (RFC 5107)', () => {
  const S = (extra: Partial<RelaySettings> = {}) =>
    settings({ addAgentOptions: true, serverIdOverride: true, ...extra });
  const subs = (p: Uint8Array) => {
    const d = decodeRelayAgentInfo(decoded(p).options.get(82)!);
    assert.ok(d.ok);
    return d.subOptions.map((s) => [s.code, [...s.data]]);
  };

  it('a directly connected client: sub-option 11 = the receiving interface, last (after link-selection with -U)', () => {
    const r = relay({ payload: request(), iface: down }, IFACES, S());
    assert.ok(r.decision.kind === 'servers');
    assert.deepEqual(subs(r.decision.payload), [
      [1, [...bytes('down0')]],
      [11, [192, 0, 2, 1]],
    ]);
    const u = relay({ payload: request(), iface: down }, IFACES, S({ uplink: 'up0' }));
    assert.ok(u.decision.kind === 'servers');
    assert.deepEqual(
      subs(u.decision.payload).map(([c, d]) => [c, (d as number[]).length]),
      [
        [1, 5],
        [5, 4],
        [11, 4],
      ],
    );
    assert.deepEqual(subs(u.decision.payload)[2], [11, [192, 0, 2, 1]], 'the client-facing address, not the uplink');
    // Behind another relay the client cannot reach us: no override.
    const far = relay({ payload: request({ giaddr: ip('192.0.2.77') }), iface: down }, IFACES, S());
    assert.ok(far.decision.kind === 'servers');
    assert.deepEqual(
      subs(far.decision.payload).map(([c]) => c),
      [1],
    );
  });

  it('relays a renewal unicast to that address (and to our other addresses), still not one to another host', () => {
    for (const dst of [down.addresses[0]!, up.addresses[0]!]) {
      const r = relay({ payload: request(), iface: down, destination: dst }, IFACES, S());
      assert.equal(r.decision.kind, 'servers', `to ${dst}`);
      if (r.decision.kind !== 'servers') continue;
      assert.equal(decoded(r.decision.payload).giaddr, down.addresses[0]);
      assert.deepEqual(subs(r.decision.payload).at(-1), [11, [192, 0, 2, 1]]);
    }
    const other = relay({ payload: request(), iface: down, destination: SERVER }, IFACES, S());
    assert.deepEqual(other.decision, { kind: 'ignore', reason: 'not-for-us' });
  });
});
