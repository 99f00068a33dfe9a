import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  BINDING,
  bindingStatusName,
  decodeMessage,
  encodeMessage,
  FAILOVER_DEFAULT_PORT,
  FAILOVER_MAX_MESSAGE_SIZE,
  FAILOVER_PROTOCOL_VERSION,
  type FailoverMessage,
  FailoverWireError,
  FO_STATE,
  failoverStateName,
  IP_FLAG,
  MessageFramer,
  MSG,
  messageAbbrev,
  messageName,
  OPT,
  OPTION_ORDER,
  optionAllowed,
  optionName,
  parseBindingStatus,
  parseFailoverState,
  REJECT,
  rejectReasonText,
  SERVER_FLAG,
} from '../../../src/failover/wire.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const HBA = hex(`${'ff'.repeat(16)}${'00'.repeat(16)}`);
const T = 0x65000000;

/** The option codes of an encoded message, in wire order. */
function codes(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let at = b[3]!; at < b.length; at += 4 + ((b[at + 2]! << 8) | b[at + 3]!)) out.push((b[at]! << 8) | b[at + 1]!);
  return out;
}

/** A message built by hand: header then options given as [code, hex data]. */
function raw(type: number, options: [number, string][], opts: { payoff?: number; length?: number } = {}) {
  const body = options.map(([c, d]) => {
    const data = hex(d);
    return `${c.toString(16).padStart(4, '0')}${data.length.toString(16).padStart(4, '0')}${toHex(data)}`;
  });
  const payoff = opts.payoff ?? 12;
  const pad = '00'.repeat(Math.max(0, payoff - 12));
  const len = opts.length ?? 12 + pad.length / 2 + body.join('').length / 2;
  return hex(
    `${len.toString(16).padStart(4, '0')}${type.toString(16).padStart(2, '0')}${payoff.toString(16).padStart(2, '0')}` +
      `65000000 00000007 ${pad}${body.join('')}`,
  );
}

// What each of ISC's dhcp_failover_send_* functions puts in its message, in its order.
const ISC_MESSAGES: FailoverMessage[] = [
  { type: MSG.POOLREQ, time: T, xid: 1 },
  { type: MSG.POOLRESP, time: T, xid: 1, addressesTransferred: 12 },
  {
    type: MSG.BNDUPD,
    time: T,
    xid: 2,
    assignedIpAddress: 0xc000020a,
    bindingStatus: BINDING.ACTIVE,
    clientIdentifier: hex('01001122334455'),
    chaddr: { htype: 1, address: hex('001122334455') },
    leaseExpiry: T + 3600,
    potentialExpiry: T + 7200,
    stos: T,
    cltt: T,
    ipFlags: IP_FLAG.RESERVE | IP_FLAG.BOOTP,
  },
  { type: MSG.BNDACK, time: T, xid: 2, assignedIpAddress: 0xc000020a },
  {
    type: MSG.BNDACK,
    time: T,
    xid: 3,
    assignedIpAddress: 0xc000020b,
    rejectReason: REJECT.FATAL_CONFLICT,
    message: rejectReasonText(REJECT.FATAL_CONFLICT),
  },
  {
    type: MSG.CONNECT,
    time: T,
    xid: 4,
    relationshipName: 'peer',
    maxUnacked: 100,
    receiveTimer: 20,
    vendorClass: bytes('isc-4.4.3'),
    protocolVersion: FAILOVER_PROTOCOL_VERSION,
    tlsRequest: 0,
    mclt: 3600,
    hba: HBA,
  },
  {
    type: MSG.CONNECTACK,
    time: T,
    xid: 4,
    relationshipName: 'peer',
    maxUnacked: 100,
    receiveTimer: 20,
    vendorClass: bytes('isc-4.4.3'),
    protocolVersion: 1,
    tlsReply: 0,
  },
  {
    type: MSG.CONNECTACK,
    time: T,
    xid: 5,
    relationshipName: 'nope',
    vendorClass: bytes('isc-4.4.3'),
    protocolVersion: 1,
    tlsReply: 0,
    rejectReason: REJECT.INVALID_PARTNER,
    message: 'unknown failover relationship name',
  },
  { type: MSG.UPDREQALL, time: T, xid: 6 },
  { type: MSG.UPDDONE, time: T, xid: 6 },
  { type: MSG.UPDREQ, time: T, xid: 7 },
  { type: MSG.STATE, time: T, xid: 8, serverState: FO_STATE.RECOVER_WAIT, serverFlags: SERVER_FLAG.STARTUP, stos: T },
  { type: MSG.CONTACT, time: T, xid: 0xffffffff },
  {
    type: MSG.DISCONNECT,
    time: 0xffffffff,
    xid: 9,
    rejectReason: REJECT.TIMEMISMATCH,
    message: rejectReasonText(REJECT.TIMEMISMATCH),
  },
];

test("round trip of every message type with the options ISC's senders put in it, in their order", () => {
  const seen = new Set<number>();
  for (const m of ISC_MESSAGES) {
    seen.add(m.type);
    const b = encodeMessage(m);
    assert.deepEqual(decodeMessage(b), m, messageName(m.type));
    const order = OPTION_ORDER[m.type]!;
    const got = codes(b);
    assert.deepEqual(
      got,
      order.filter((c) => got.includes(c)),
      `${messageName(m.type)} options in ISC's order`,
    );
  }
  assert.equal(seen.size, 12);
});

test('CONNECT, byte for byte as dhcp_failover_send_connect builds it', () => {
  const m = ISC_MESSAGES.find((x) => x.type === MSG.CONNECT)!;
  const expected = hex(`
    0067 05 0c 65000000 00000004
    0016 0004 70656572
    000e 0004 00000064
    0013 0004 00000014
    001c 0009 6973632d342e342e33
    0014 0001 01
    001b 0001 00
    000f 0004 00000e10
    000b 0020 ${'ff'.repeat(16)}${'00'.repeat(16)}`);
  assert.equal(toHex(encodeMessage(m)), toHex(expected));
  assert.deepEqual(decodeMessage(expected), m);
});

test('BNDUPD, byte for byte as dhcp_failover_send_bind_update builds it', () => {
  const m: FailoverMessage = {
    type: MSG.BNDUPD,
    time: 0x65000010,
    xid: 0x2a,
    assignedIpAddress: 0xc000020a, // 192.0.2.10
    bindingStatus: BINDING.ACTIVE,
    clientIdentifier: hex('01001122334455'),
    chaddr: { htype: 1, address: hex('001122334455') },
    leaseExpiry: 0x65000e20,
    potentialExpiry: 0x65001c30,
    stos: 0x65000010,
    cltt: 0x65000010,
    ipFlags: IP_FLAG.RESERVE,
  };
  const expected = hex(`
    0055 03 0c 65000010 0000002a
    0002 0004 c000020a
    0003 0001 02
    0004 0007 01001122334455
    0005 0007 01001122334455
    000d 0004 65000e20
    0012 0004 65001c30
    0019 0004 65000010
    0006 0004 65000010
    000c 0002 0001`);
  assert.equal(toHex(encodeMessage(m)), toHex(expected));
  assert.deepEqual(decodeMessage(expected), m);
});

test('decode: the header and length errors', () => {
  const err = (b: Uint8Array, reason: string, re: RegExp) =>
    assert.throws(
      () => decodeMessage(b),
      (e: unknown) => e instanceof FailoverWireError && e.reason === reason && re.test(e.message),
    );
  err(hex('000b 0a 0c 65000000 000000'), 'length', /11 bytes, shorter than the 12-byte header/);
  err(raw(MSG.CONTACT, [], { length: 11 }), 'length', /length 11, not within 12\.\.2048/);
  err(raw(MSG.CONTACT, [], { length: 2049 }), 'too-large', /length 2049, not within 12\.\.2048/);
  err(raw(MSG.CONTACT, [], { length: 13 }), 'length', /length field says 13 bytes, given 12/);
  err(raw(0, []), 'message-type', /message type 0 is not 1\.\.12/);
  err(raw(13, []), 'message-type', /message type 13 is not 1\.\.12/);
  err(raw(MSG.CONTACT, [], { payoff: 11 }), 'payload-offset', /payload offset 11, not within 12\.\.12/);
  const past = raw(MSG.CONTACT, []);
  past[3] = 13;
  err(past, 'payload-offset', /payload offset 13, not within 12\.\.12/);
});

test('decode: a larger payload offset skips the extra header bytes, as ISC does', () => {
  const m = decodeMessage(raw(MSG.POOLRESP, [[OPT.ADDRESSES_TRANSFERRED, '00000005']], { payoff: 16 }));
  assert.deepEqual(m, { type: MSG.POOLRESP, time: T, xid: 7, addressesTransferred: 5 });
});

test('decode: option errors', () => {
  const err = (b: Uint8Array, reason: string, re: RegExp) =>
    assert.throws(
      () => decodeMessage(b),
      (e: unknown) => e instanceof FailoverWireError && e.reason === reason && re.test(e.message),
      re.source,
    );
  const good = raw(MSG.POOLRESP, [[OPT.ADDRESSES_TRANSFERRED, '00000005']]);
  for (const extra of ['00', '0001', '000100']) {
    const b = hex(toHex(good) + extra);
    b[1] = b.length;
    err(b, 'truncated-option', /bytes left at 20, too few for an option/);
  }
  err(
    raw(MSG.POOLRESP, [[OPT.ADDRESSES_TRANSFERRED, '00000005']], { length: 19 }).subarray(0, 19),
    'truncated-option',
    /pool-response: option addresses-transferred: length 4, but 3 bytes are left/,
  );
  err(raw(MSG.BNDUPD, [[OPT.BINDING_STATUS, '0102']]), 'option-length', /option binding-status: length 2, expected 1/);
  err(raw(MSG.BNDUPD, [[OPT.ASSIGNED_IP_ADDRESS, 'c000020a00']]), 'option-length', /assigned-ip-address: length 5/);
  err(raw(MSG.BNDUPD, [[OPT.IP_FLAGS, '01']]), 'option-length', /option ip-flags: length 1, expected 2/);
  err(raw(MSG.CONNECT, [[OPT.MCLT, '000e10']]), 'option-length', /connect: option mclt: length 3, expected 4/);
  err(raw(MSG.CONNECT, [[OPT.TLS_REQUEST, '0000']]), 'option-length', /option tls-request: length 2, expected 1/);
  err(raw(MSG.BNDUPD, [[OPT.CHADDR, '']]), 'option-length', /option chaddr: length 0, expected at least 1/);
  err(raw(MSG.BNDUPD, [[OPT.DDNS, '00']]), 'option-length', /option ddns: length 1, expected at least 2/);
  err(
    raw(MSG.BNDUPD, [
      [OPT.BINDING_STATUS, '01'],
      [OPT.BINDING_STATUS, '02'],
    ]),
    'duplicate-option',
    /bind-update: duplicate option binding-status/,
  );
});

test('decode: unknown codes are kept; options ISC does not read in this type are kept unchecked', () => {
  const m = decodeMessage(
    raw(MSG.STATE, [
      [OPT.SERVER_STATE, '02'],
      [30, 'abcd'],
      [0, ''],
      [OPT.BINDING_STATUS, '0102'], // wrong size, but ISC skips it in a STATE before looking
      [OPT.BINDING_STATUS, '01'], // and a repeat is no error either
      [OPT.MESSAGE_DIGEST, '01aa'],
      [OPT.MESSAGE_DIGEST, '01bb'],
    ]),
  );
  assert.deepEqual(m, {
    type: MSG.STATE,
    time: T,
    xid: 7,
    serverState: FO_STATE.NORMAL,
    unknown: [
      { code: 30, data: hex('abcd') },
      { code: 0, data: hex('') },
    ],
    ignored: [
      { code: OPT.BINDING_STATUS, data: hex('0102') },
      { code: OPT.BINDING_STATUS, data: hex('01') },
      { code: OPT.MESSAGE_DIGEST, data: hex('01bb') },
    ],
    messageDigest: hex('01aa'),
  });
  // Raw options go back out as given, then the digest, last.
  assert.deepEqual(codes(encodeMessage(m)), [OPT.SERVER_STATE, 30, 0, 3, 3, 17, 17]);
  const once = { ...m, ignored: m.ignored!.slice(0, 2) };
  assert.deepEqual(decodeMessage(encodeMessage(once)), once);
});

test('DDNS: 16-bit flags then the name; BNDUPD writes it after ip-flags, as the placeholder in ISC sits', () => {
  const m: FailoverMessage = {
    type: MSG.BNDUPD,
    time: T,
    xid: 1,
    assignedIpAddress: 1,
    ddns: { flags: 0x0003, name: 'host.example.' },
    ipFlags: 0,
  };
  const b = encodeMessage(m);
  assert.deepEqual(codes(b), [OPT.ASSIGNED_IP_ADDRESS, OPT.IP_FLAGS, OPT.DDNS]);
  assert.ok(toHex(b).includes(`0009000f0003${toHex(bytes('host.example.'))}`));
  assert.deepEqual(decodeMessage(b), m);
});

test('encode: refuses out-of-range fields, options the type does not carry, and over 2048 bytes', () => {
  const err = (m: FailoverMessage, reason: string, re: RegExp) =>
    assert.throws(
      () => encodeMessage(m),
      (e: unknown) => e instanceof FailoverWireError && e.reason === reason && re.test(e.message),
      re.source,
    );
  const base = { time: T, xid: 1 };
  err({ type: 13, ...base }, 'message-type', /message type 13 is not 1\.\.12/);
  err({ type: 0, ...base }, 'message-type', /message type 0/);
  err({ type: MSG.CONTACT, time: -1, xid: 1 }, 'range', /time: -1 is not an integer in 0\.\.4294967295/);
  err({ type: MSG.CONTACT, time: T, xid: 2 ** 32 }, 'range', /xid/);
  err({ type: MSG.BNDUPD, ...base, bindingStatus: 256 }, 'range', /option binding-status: 256 is not an integer/);
  err({ type: MSG.BNDUPD, ...base, ipFlags: 0x10000 }, 'range', /option ip-flags/);
  err({ type: MSG.BNDUPD, ...base, assignedIpAddress: 1.5 }, 'range', /option assigned-ip-address: 1\.5/);
  err(
    { type: MSG.DISCONNECT, ...base, message: 'caf\u00e9 \u2603' },
    'range',
    /option message: character 5 \(U\+2603\) is not latin1/,
  );
  err(
    { type: MSG.BNDUPD, ...base, chaddr: { htype: 1, address: new Uint8Array(17) } },
    'range',
    /chaddr: address of 17 bytes, more than 16/,
  );
  err({ type: MSG.STATE, ...base, bindingStatus: 1 }, 'not-allowed', /binding-status is not read in a state message/);
  err({ type: MSG.CONNECT, ...base, hba: new Uint8Array(2048 - 16 + 1) }, 'too-large', /message of 2049 bytes/);
  // exactly 2048 is fine
  const max = encodeMessage({ type: MSG.CONNECT, ...base, hba: new Uint8Array(2048 - 16) });
  assert.equal(max.length, FAILOVER_MAX_MESSAGE_SIZE);
  assert.equal(decodeMessage(max).hba!.length, 2032);
});

test('encode then decode: random binding updates', () => {
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  fc.assert(
    fc.property(
      fc.record(
        {
          assignedIpAddress: u32,
          bindingStatus: fc.integer({ min: 1, max: 7 }),
          clientIdentifier: fc.uint8Array({ maxLength: 64 }),
          chaddr: fc
            .record({ htype: fc.integer({ min: 0, max: 255 }), address: fc.uint8Array({ maxLength: 16 }) })
            .map((c) => ({ ...c })),
          leaseExpiry: u32,
          potentialExpiry: u32,
          stos: u32,
          cltt: u32,
          ipFlags: fc.integer({ min: 0, max: 0xffff }),
          message: fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
        },
        { requiredKeys: ['assignedIpAddress'] },
      ),
      u32,
      u32,
      fc.boolean(),
      (fields, time, xid, ack) => {
        const m: FailoverMessage = { type: ack ? MSG.BNDACK : MSG.BNDUPD, time, xid, ...fields };
        if (!ack) delete m.message;
        assert.deepEqual(decodeMessage(encodeMessage(m)), m);
      },
    ),
  );
});

test('framer: a message split at every byte position', () => {
  const whole = encodeMessage(ISC_MESSAGES.find((m) => m.type === MSG.CONNECT)!);
  for (let i = 0; i <= whole.length; i++) {
    const f = new MessageFramer();
    const first = f.push(whole.slice(0, i));
    assert.equal(first.length, i === whole.length ? 1 : 0, `split at ${i}`);
    assert.equal(f.buffered, i === whole.length ? 0 : i);
    const second = f.push(whole.slice(i));
    assert.equal(first.length + second.length, 1);
    assert.deepEqual([...first, ...second][0], decodeMessage(whole));
    assert.equal(f.buffered, 0);
  }
  // and one byte at a time
  const f = new MessageFramer();
  const got: FailoverMessage[] = [];
  for (const byte of whole) got.push(...f.push(Uint8Array.of(byte)));
  assert.equal(got.length, 1);
});

test('framer: three messages in one chunk, and a chunk ending inside a fourth', () => {
  const ms = ISC_MESSAGES.slice(2, 6);
  const all = Buffer.concat(ms.map(encodeMessage));
  const f = new MessageFramer();
  const cut = all.length - 5;
  assert.deepEqual(f.push(all.subarray(0, cut)), ms.slice(0, 3));
  assert.equal(f.buffered, encodeMessage(ms[3]!).length - 5);
  assert.deepEqual(f.push(all.subarray(cut)), ms.slice(3));
});

test('framer: a length over 2048 (or under 12) is an error as soon as its two bytes arrive', () => {
  const tooLarge = (e: unknown) => e instanceof FailoverWireError && e.reason === 'too-large';
  const f = new MessageFramer();
  assert.deepEqual(f.push(hex('08')), []); // one byte says nothing yet
  assert.throws(
    () => f.push(hex('01')),
    (e: unknown) => tooLarge(e) && /length 2049/.test((e as Error).message),
  );
  assert.throws(() => new MessageFramer().push(hex('ffff')), tooLarge);
  assert.throws(
    () => new MessageFramer().push(hex('000b')),
    (e: unknown) => e instanceof FailoverWireError && e.reason === 'length' && /length 11/.test(e.message),
  );
  // 2048 itself waits for its bytes
  const g = new MessageFramer();
  assert.deepEqual(g.push(hex('0800 05 0c')), []);
  assert.equal(g.buffered, 4);
});

test('framer: a bad message after good ones throws, carrying the good ones; the framer stays failed', () => {
  const good = encodeMessage(ISC_MESSAGES[0]!);
  const bad = raw(MSG.BNDUPD, [[OPT.BINDING_STATUS, '0102']]);
  const f = new MessageFramer();
  let caught: FailoverWireError | undefined;
  try {
    f.push(Buffer.concat([good, good, bad, good]));
  } catch (e) {
    caught = e as FailoverWireError;
  }
  assert.ok(caught instanceof FailoverWireError);
  assert.equal(caught.reason, 'option-length');
  assert.deepEqual(caught.decoded, [ISC_MESSAGES[0], ISC_MESSAGES[0]]);
  assert.throws(() => f.push(good), /binding-status: length 2/);
});

test('names as ISC prints them', () => {
  assert.deepEqual(
    Array.from({ length: 14 }, (_, t) => messageName(t)),
    [
      'unknown-message-0',
      'pool-request',
      'pool-response',
      'bind-update',
      'bind-ack',
      'connect',
      'connect-ack',
      'update-request-all',
      'update-done',
      'update-request',
      'state',
      'contact',
      'disconnect',
      'unknown-message-13',
    ],
  );
  assert.equal(messageName(256), 'invalid-message');
  assert.equal(messageAbbrev(MSG.BNDUPD), 'BNDUPD');
  assert.equal(messageAbbrev(MSG.UPDREQALL), 'UPDREQALL');
  assert.equal(messageAbbrev(99), 'unknown-message-99');
  assert.equal(optionName(OPT.ASSIGNED_IP_ADDRESS), 'assigned-ip-address');
  assert.equal(optionName(OPT.CHADDR), 'chaddr');
  assert.equal(optionName(OPT.VENDOR_OPTIONS), 'vendor-options');
  assert.equal(optionName(30), 'unknown-option-30');
  assert.equal(optionName(0x10000), 'invalid-option');
  assert.equal(rejectReasonText(REJECT.HBA_CONFLICT), 'Hash bucket assignment conflict.');
  assert.equal(rejectReasonText(REJECT.UNKNOWN), 'Unknown Error.');
  assert.equal(rejectReasonText(22), 'Undefined-22: This reason code is not defined in the protocol standard.');
  assert.equal(rejectReasonText(256), 'Reason code out of range.');
  assert.equal(bindingStatusName(BINDING.BACKUP), 'backup');
  assert.equal(bindingStatusName(0), 'unknown');
  assert.equal(parseBindingStatus('Released'), BINDING.RELEASED);
  assert.equal(parseBindingStatus('bootp'), undefined);
  assert.equal(FAILOVER_DEFAULT_PORT, 647);
});

test('REJECT codes and reject texts are includes/failover.h and dhcp_failover_reject_reason_print', () => {
  assert.equal(REJECT.ILLEGAL_IP_ADDR, 1); // failover.h:167
  assert.equal(REJECT.FATAL_CONFLICT, 2); // failover.h:168
  assert.equal(REJECT.MISSING_BINDINFO, 3); // failover.h:169
  assert.equal(REJECT.MISC_REJECT, 6); // failover.h:172
  assert.equal(REJECT.LESS_CRIT_BIND_INFO, 16); // failover.h:182
  assert.equal(REJECT.IP_NOT_RESERVED, 19); // failover.h:185
  assert.equal(rejectReasonText(16), 'Less critical binding information.'); // failover.c:3759
  assert.equal(rejectReasonText(300), 'Reason code out of range.'); // failover.c:3710
  assert.equal(rejectReasonText(99), 'Undefined-99: This reason code is not defined in the protocol standard.');
});

test('failover state names print and parse as ISC (lease file `my state NAME at ...`)', () => {
  const names: [number, string][] = [
    [FO_STATE.STARTUP, 'startup'],
    [FO_STATE.NORMAL, 'normal'],
    [FO_STATE.COMMUNICATIONS_INTERRUPTED, 'communications-interrupted'],
    [FO_STATE.PARTNER_DOWN, 'partner-down'],
    [FO_STATE.POTENTIAL_CONFLICT, 'potential-conflict'],
    [FO_STATE.RECOVER, 'recover'],
    [FO_STATE.PAUSED, 'paused'],
    [FO_STATE.SHUTDOWN, 'shutdown'],
    [FO_STATE.RECOVER_DONE, 'recover-done'],
    [FO_STATE.RESOLUTION_INTERRUPTED, 'resolution-interrupted'],
    [FO_STATE.CONFLICT_DONE, 'conflict-done'],
    [FO_STATE.RECOVER_WAIT, 'recover-wait'],
    [FO_STATE.UNKNOWN_STATE, 'unknown-state'],
  ];
  for (const [code, name] of names) {
    assert.equal(failoverStateName(code), name);
    assert.equal(parseFailoverState(name), code);
    assert.equal(parseFailoverState(name.toUpperCase()), code);
  }
  assert.equal(FO_STATE.RECOVER_WAIT, 254);
  assert.equal(failoverStateName(12), 'unknown-state');
  assert.equal(parseFailoverState('shut-down'), undefined);
});

test("optionAllowed is ISC's fto_allowed plus the digest", () => {
  assert.ok(optionAllowed(MSG.CONNECT, OPT.HBA));
  assert.ok(!optionAllowed(MSG.CONNECTACK, OPT.HBA));
  assert.ok(optionAllowed(MSG.BNDACK, OPT.MESSAGE));
  assert.ok(!optionAllowed(MSG.BNDUPD, OPT.MESSAGE));
  assert.ok(optionAllowed(MSG.CONTACT, OPT.MESSAGE_DIGEST));
  assert.ok(!optionAllowed(MSG.POOLREQ, OPT.ADDRESSES_TRANSFERRED));
  assert.ok(!optionAllowed(0, OPT.ADDRESSES_TRANSFERRED));
});

test('decoded bytes are plain copies, never views of the (Buffer) chunk', () => {
  const chunk = Buffer.from(encodeMessage(ISC_MESSAGES.find((m) => m.type === MSG.CONNECT)!));
  const f = new MessageFramer();
  const [m] = f.push(chunk.subarray(0, chunk.length - 1));
  assert.equal(m, undefined);
  const [got] = f.push(chunk.subarray(chunk.length - 1));
  const direct = decodeMessage(chunk);
  chunk.fill(0x55);
  for (const d of [got!, direct]) {
    assert.equal(Object.getPrototypeOf(d.hba), Uint8Array.prototype);
    assert.deepEqual(d.hba, HBA);
    assert.deepEqual(d.vendorClass, bytes('isc-4.4.3'));
  }
});
