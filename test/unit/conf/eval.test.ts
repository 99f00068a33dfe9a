import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Expr } from '../../../src/conf/ast.js';
import { evaluateBoolean, evaluateData, evaluateExpression, evaluateNumeric } from '../../../src/conf/eval.js';
import { Bindings, createEvalContext, type EvalContext, OptionSet } from '../../../src/conf/eval-context.js';
import { binaryToAscii, translateEre } from '../../../src/conf/eval-data.js';
import { bytes, expr, hex, packetCtx, text } from './eval-helpers.js';

const ARCH = 'option arch code 93 = unsigned integer 16;';

/** The numeric expression inside `encode-int (TEXT, 32)` (a bare number would parse as data). */
function num(t: string): Expr {
  const e = expr(`encode-int (${t}, 32)`);
  assert.ok(e.op === 'encode-int');
  return e.expr;
}

const bool = (t: string, ctx: EvalContext, prelude = '') => evaluateBoolean(expr(t, prelude), ctx);
const data = (t: string, ctx: EvalContext, prelude = '') => evaluateData(expr(t, prelude), ctx);
const str = (t: string, ctx: EvalContext) => {
  const d = data(t, ctx);
  return d === undefined ? undefined : Buffer.from(d).toString('latin1');
};

const pxe = () =>
  packetCtx({
    options: [
      [60, 'PXEClient:Arch:00007:UNDI:003016'],
      [93, bytes(0, 7)],
      [12, 'Host-A'],
    ],
    agent: [
      [1, 'eth0/1'],
      [2, hex('00:16:36:51:5d:5a')],
    ],
    chaddr: '00:16:36:51:5d:5a',
  });

test('= compares data; ISC: both sides null is equal, one null is unequal', () => {
  const c = pxe();
  assert.equal(bool('substring (option vendor-class-identifier, 0, 9) = "PXEClient"', c), true);
  assert.equal(bool('option vendor-class-identifier = "PXEClient"', c), false);
  assert.equal(bool('option arch = 00:07', c, ARCH), true);
  assert.equal(bool('option arch = 00:06', c, ARCH), false);
  assert.equal(bool('option user-class = "x"', c), false);
  assert.equal(bool('option user-class != "x"', c), true);
  assert.equal(bool('option user-class = option domain-name', c), true);
  assert.equal(bool('option user-class != option domain-name', c), false);
  assert.equal(bool('not (option user-class = "x")', c), true);
});

test('~= and ~~ are POSIX extended regex searches; a null side is null, a bad regex false', () => {
  const c = pxe();
  assert.equal(bool('option vendor-class-identifier ~= "^PXEClient:Arch:0000[0-9]"', c), true);
  assert.equal(bool('option vendor-class-identifier ~= "^pxeclient"', c), false);
  assert.equal(bool('option vendor-class-identifier ~~ "^pxeclient"', c), true);
  assert.equal(bool('option host-name ~= "^[[:alpha:]]+-[[:upper:]]$"', c), true);
  assert.equal(bool('option host-name ~= "Host|Other"', c), true);
  assert.equal(bool('option host-name ~= "[unclosed"', c), false);
  assert.equal(bool('option user-class ~= "x"', c), undefined);
  assert.equal(bool('not (option user-class ~= "x")', c), undefined);
  assert.equal(bool('option host-name ~= ""', c), false);
  assert.equal(translateEre('[]a\\]'), '[\\]a\\\\]');
  assert.equal(translateEre('\\<word\\>'), '\\bword\\b');
});

test('and, or, not follow tree.c, including its nulls', () => {
  const c = pxe();
  const NULL = '(option user-class ~= "x")';
  assert.equal(bool('exists host-name and option host-name = "Host-A"', c), true);
  assert.equal(bool('exists host-name and option host-name = "B"', c), false);
  // The right side is not evaluated after a false left side, and the result is null.
  assert.equal(bool('exists user-class and option host-name = "Host-A"', c), undefined);
  assert.equal(bool(`${NULL} and exists host-name`, c), undefined);
  assert.equal(bool(`exists host-name and ${NULL}`, c), undefined);
  assert.equal(bool(`${NULL} or exists host-name`, c), true);
  assert.equal(bool(`${NULL} or exists user-class`, c), false);
  assert.equal(bool(`${NULL} or ${NULL}`, c), undefined);
  assert.equal(bool(`exists user-class or ${NULL}`, c), false);
  assert.equal(bool(`exists host-name or ${NULL}`, c), true);
  assert.equal(bool('not exists user-class', c), true);
  assert.equal(bool('not exists host-name', c), false);
});

test('exists, known, static, defined, check', () => {
  const c = pxe();
  assert.equal(bool('exists agent.remote-id', c), true);
  assert.equal(bool('exists agent.circuit-id', c), true);
  assert.equal(bool('exists agent.link-selection', c), false);
  assert.equal(bool('known', c), false);
  assert.equal(bool('known', packetCtx({ known: true })), true);
  assert.equal(bool('known', createEvalContext()), undefined);
  assert.equal(bool('static', c), false);
  assert.equal(bool('static', packetCtx({}, { lease: { static: true } })), true);
  assert.equal(bool('defined (foo)', c), false);
  c.bindings.set('foo', text('x'));
  assert.equal(bool('defined (foo)', c), true);
  c.bindings.unset('foo');
  assert.equal(bool('defined (foo)', c), false);
  assert.equal(bool('check "default"', c), false);
  c.classes.push('any');
  assert.equal(bool('check "default"', c), true);
});

test('substring and suffix truncate; null in, null out', () => {
  const c = pxe();
  assert.equal(str('substring (option host-name, 2, 100)', c), 'st-A');
  assert.equal(str('substring (option host-name, 6, 1)', c), '');
  assert.equal(str('substring (option host-name, 60, 1)', c), '');
  assert.equal(str('substring (option user-class, 0, 1)', c), undefined);
  assert.equal(str('suffix (option host-name, 3)', c), 't-A');
  assert.equal(str('suffix (option host-name, 30)', c), 'Host-A');
  assert.equal(str('suffix (option user-class, 3)', c), undefined);
  assert.equal(str('lcase (option host-name)', c), 'host-a');
  assert.equal(str('ucase (option host-name)', c), 'HOST-A');
  assert.equal(str('ucase (option user-class)', c), undefined);
});

test('binary-to-ascii prints without zero padding, as ISC does', () => {
  const c = pxe();
  assert.equal(str('binary-to-ascii (16, 8, ":", hardware)', c), '1:0:16:36:51:5d:5a');
  assert.equal(str('binary-to-ascii (16, 8, ":", option agent.remote-id)', c), '0:16:36:51:5d:5a');
  assert.equal(str('binary-to-ascii (16, 8, ":", substring (hardware, 1, 8))', c), '0:16:36:51:5d:5a');
  assert.equal(str('binary-to-ascii (10, 8, ".", c0:0:2:7)', c), '192.0.2.7');
  assert.equal(str('binary-to-ascii (16, 16, "-", 00:07:12:34)', c), '7-1234');
  assert.equal(str('binary-to-ascii (10, 32, "", 00:01:00:00)', c), '65536');
  assert.equal(str('binary-to-ascii (2, 8, ",", 05:00)', c), '101,0');
  assert.equal(str('binary-to-ascii (8, 8, "", 08)', c), '10');
  assert.equal(str('binary-to-ascii (16, 16, ":", 01:02:03)', c), undefined);
  assert.equal(str('binary-to-ascii (16, 12, ":", 01:02)', c), undefined);
  assert.equal(str('binary-to-ascii (16, 8, ":", option user-class)', c), undefined);
  assert.deepEqual(binaryToAscii(17, 8, text('.'), bytes(1, 2)), text('.'));
  // The corpus's zero-padded MAC idiom.
  assert.equal(str('suffix (concat ("0", binary-to-ascii (16, 8, "", substring (hardware, 1, 1))), 2)', c), '00');
});

test('concat, reverse, pick-first-value, encode-int, packet, hardware', () => {
  const c = pxe();
  assert.equal(str('concat ("a", "b", option host-name)', c), 'abHost-A');
  assert.equal(str('concat ("a", option user-class)', c), undefined);
  assert.deepEqual(data('reverse (1, 01:02:03:04)', c), bytes(4, 3, 2, 1));
  assert.deepEqual(data('reverse (2, 01:02:03:04)', c), bytes(3, 4, 1, 2));
  assert.equal(data('reverse (3, 01:02:03:04)', c), undefined);
  assert.equal(str('pick-first-value (option user-class, option host-name, "z")', c), 'Host-A');
  assert.equal(str('pick-first-value (option user-class, option domain-name)', c), undefined);
  assert.equal(str('pick-first-value (option agent.circuit-id, "")', c), 'eth0/1');
  assert.deepEqual(data('encode-int (258, 16)', c), bytes(1, 2));
  assert.deepEqual(data('encode-int (258, 8)', c), bytes(2));
  assert.deepEqual(data('encode-int (258, 32)', c), bytes(0, 0, 1, 2));
  assert.deepEqual(data('hardware', c), hex('01:00:16:36:51:5d:5a'));
  assert.equal(data('packet (0, 4)', c), undefined);
  const raw = packetCtx({ raw: bytes(1, 1, 6, 0, 9, 9) });
  assert.deepEqual(data('packet (1, 2)', raw), bytes(1, 6));
  assert.deepEqual(data('packet (4, 10)', raw), bytes(9, 9));
  assert.equal(data('packet (6, 1)', raw), undefined);
  assert.equal(data('hardware', createEvalContext()), undefined);
});

test('lease, host and system facts: leased-address, host-decl-name, filename, server-name, gethostname', () => {
  const c = packetCtx(
    { file: 'pxelinux.0', sname: 'boot' },
    { lease: { address: bytes(192, 0, 2, 10), hostDeclName: 'printer' }, gethostname: () => 'dhcp1' },
  );
  assert.equal(str('binary-to-ascii (10, 8, ".", leased-address)', c), '192.0.2.10');
  assert.equal(
    str('concat (binary-to-ascii (10, 8, ".", reverse (1, leased-address)), ".in-addr.arpa.")', c),
    '10.2.0.192.in-addr.arpa.',
  );
  assert.equal(str('host-decl-name', c), 'printer');
  assert.equal(str('filename', c), 'pxelinux.0');
  assert.equal(str('server-name', c), 'boot');
  assert.equal(str('gethostname ()', c), 'dhcp1');
  const bare = packetCtx({});
  assert.equal(str('leased-address', bare), undefined);
  assert.equal(str('host-decl-name', bare), undefined);
  assert.equal(str('filename', bare), undefined);
  assert.equal(str('gethostname ()', bare), undefined);
});

test('option and config-option read the packet and the configuration', () => {
  const config = new OptionSet();
  config.set('dhcp', 15, text('example.org'));
  const c = packetCtx({ options: [[15, 'client.example']] }, { config });
  assert.equal(str('option domain-name', c), 'client.example');
  assert.equal(str('config-option domain-name', c), 'example.org');
  assert.equal(str('config-option host-name', c), undefined);
});

test('numeric expressions: constants, operators, extract-int, lease-time, client-state', () => {
  const c = packetCtx(
    {
      options: [
        [93, bytes(0, 7)],
        [57, bytes(5, 220)],
      ],
    },
    { lease: { ends: 1600 }, now: 1000 },
  );
  const n = (t: string, ctx = c) => evaluateNumeric(num(t), ctx);
  assert.equal(n('1 + 2'), 3);
  // ISC's lexer reads `- 2` as a name, so subtraction is built by hand.
  const pos = { file: 't', line: 1, col: 1 };
  const k = (value: number): Expr => ({ op: 'const-int', pos, value });
  assert.equal(evaluateNumeric({ op: 'subtract', pos, left: k(7), right: k(2) }, c), 5);
  assert.equal(
    evaluateNumeric({ op: 'subtract', pos, left: k(7), right: expr('extract-int (option user-class, 8)') }, c),
    undefined,
  );
  assert.equal(n('6 * 7'), 42);
  assert.equal(n('7 / 2'), 3);
  assert.equal(n('7 / 0'), undefined);
  assert.equal(n('7 % 4'), 3);
  assert.equal(n('7 % 0'), undefined);
  assert.equal(n('12 & 10'), 8);
  assert.equal(n('12 | 3'), 15);
  assert.equal(n('12 ^ 10'), 6);
  assert.equal(n('extract-int (option dhcp-max-message-size, 16)'), 1500);
  assert.equal(n('extract-int (option dhcp-max-message-size, 8)'), 5);
  assert.equal(n('extract-int (option dhcp-max-message-size, 32)'), undefined);
  assert.equal(n('extract-int (option user-class, 8)'), undefined);
  assert.equal(n('extract-int (option user-class, 8) + 1'), undefined);
  assert.equal(n('lease-time'), 600);
  assert.equal(n('lease-time', packetCtx({})), undefined);
  assert.equal(n('lease-time', packetCtx({}, { lease: { ends: 10 }, now: 20 })), undefined);
  assert.equal(n('client-state'), undefined);
  assert.equal(n('client-state', createEvalContext({ clientState: 4 })), 4);
  assert.equal(n('bound'), 4);
  assert.equal(n('4294967295 & 255'), 255);
  assert.equal(str('binary-to-ascii (10, 32, "", encode-int (lease-time, 32))', c), '600');
  assert.equal(bool('extract-int (option arch, 16) = 7', c, ARCH), true);
});

test('variables: data, numbers and booleans by binding type; scopes look outward', () => {
  const outer = new Bindings();
  outer.set('name', text('abc'));
  const inner = new Bindings(outer);
  const c = packetCtx({}, { bindings: inner });
  inner.set('count', 3);
  inner.set('flag', true);
  assert.equal(str('name', c), 'abc');
  assert.equal(str('concat (name, "d")', c), 'abcd');
  assert.equal(evaluateExpression(expr('count'), c), 3);
  assert.equal(bool('flag', c), true);
  // A binding of another type is null in a typed context.
  assert.equal(str('concat (count, "d")', c), undefined);
  // set updates the scope that has the name.
  inner.set('name', text('xyz'));
  assert.equal(Buffer.from(outer.get('name') as Uint8Array).toString(), 'xyz');
  assert.equal(bool('name = "xyz"', c), true);
  assert.equal(bool('count = 3', c), false, 'a bare number parses as data (03), unequal to the number 3');
});

test('parity with a running dhcpd 4.4.3 (outputs captured from its log statements)', () => {
  // dhclient's DHCPREQUEST: host-name "vm", message type 3, hardware 02:00:00:aa:bb:cc.
  const c = packetCtx({
    options: [
      [53, bytes(3)],
      [12, 'vm'],
    ],
    chaddr: '02:00:00:aa:bb:cc',
    raw: bytes(1, 1, 6, 0, 0x12, 0x34),
  });
  const cases: [string, string | undefined][] = [
    ['binary-to-ascii (16, 8, ":", hardware)', '1:2:0:0:aa:bb:cc'],
    ['concat ("[", substring (option dhcp-message-type, 5, 3), "]")', '[]'],
    ['binary-to-ascii (16, 16, "-", 00:07:12:34)', '7-1234'],
    ['binary-to-ascii (16, 16, "-", 00:07:12)', undefined],
    ['binary-to-ascii (8, 8, ",", 08:ff)', '10,377'],
    ['concat ("[", binary-to-ascii (17, 8, ".", 01:02), "]")', '[.]'],
    ['binary-to-ascii (16, 8, ":", packet (0, 4))', '1:1:6:0'],
    ['binary-to-ascii (16, 8, ":", packet (100000, 4))', undefined],
    ['binary-to-ascii (10, 32, "", encode-int (extract-int (option host-name, 8), 32))', '118'],
    ['binary-to-ascii (10, 32, "", encode-int (extract-int (option host-name, 32), 32))', undefined],
    ['binary-to-ascii (10, 8, ".", reverse (2, 01:02:03:04))', '3.4.1.2'],
    ['concat ("FILE=", filename)', undefined],
    ['concat (ucase (option host-name), lcase ("MiXeD"))', 'VMmixed'],
    ['suffix ("abc", 10)', 'abc'],
    ['concat ("x", option user-class)', undefined],
  ];
  for (const [t, want] of cases) assert.equal(str(t, c), want, t);
  const conds: [string, boolean][] = [
    ['option user-class = option nis-domain', true],
    ['option user-class != "x"', true],
    ['not (exists user-class and exists dhcp-message-type)', false],
    ['not (exists dhcp-message-type and (option user-class ~= "x"))', false],
    ['not (option user-class ~= "x")', false],
    ['(option user-class ~= "x") or exists dhcp-message-type', true],
    ['option host-name ~= "[unclosed"', false],
    ['not (option host-name ~= "[unclosed")', true],
    ['option host-name ~~ "^VM$"', true],
    ['option host-name ~= "^[[:alpha:]]+$"', true],
    ['option host-name ~= ""', false],
    ['extract-int (option dhcp-message-type, 8) = 3', true],
  ];
  for (const [t, want] of conds) assert.equal(bool(t, c) === true, want, t);
});
