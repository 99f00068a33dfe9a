import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLine } from '../../../src/shell/parse.js';

test('commands, comments and blank lines', () => {
  assert.deepEqual(parseLine(''), { cmd: 'none' });
  assert.deepEqual(parseLine('   # a comment'), { cmd: 'none' });
  assert.deepEqual(parseLine('server 192.0.2.1'), { cmd: 'server', host: '192.0.2.1' });
  assert.deepEqual(parseLine('server dhcp.example'), { cmd: 'server', host: 'dhcp.example' });
  assert.deepEqual(parseLine('port 7911 # omapi'), { cmd: 'port', port: 7911 });
  assert.deepEqual(parseLine('port omapi'), { cmd: 'port', port: 7911 });
  assert.deepEqual(parseLine('key omkey c2VjcmV0c2VjcmV0c2VjcmV0'), {
    cmd: 'key',
    name: 'omkey',
    secret: 'c2VjcmV0c2VjcmV0c2VjcmV0',
  });
  assert.deepEqual(parseLine('key k d3Jvbmc='), { cmd: 'key', name: 'k', secret: 'd3Jvbmc=' });
  assert.deepEqual(parseLine('key-algorithm hmac-sha256'), { cmd: 'key-algorithm', algorithm: 'hmac-sha256' });
  assert.deepEqual(parseLine('connect'), { cmd: 'connect' });
  assert.deepEqual(parseLine('new host'), { cmd: 'new', type: 'host' });
  assert.deepEqual(parseLine('new "failover-state"'), { cmd: 'new', type: 'failover-state' });
  assert.deepEqual(parseLine('unset ip-address'), { cmd: 'unset', name: 'ip-address' });
  for (const c of ['open', 'create', 'update', 'refresh', 'remove', 'close', 'disconnect']) {
    assert.deepEqual(parseLine(`  ${c}  `), { cmd: c });
  }
});

test('set values: string, number, dotted quad, colon hex', () => {
  assert.deepEqual(parseLine('set name = "pc 1"'), {
    cmd: 'set',
    name: 'name',
    value: { kind: 'string', text: 'pc 1' },
  });
  assert.deepEqual(parseLine('set state = 2'), { cmd: 'set', name: 'state', value: { kind: 'int', n: 2 } });
  assert.deepEqual(parseLine('set ip-address = 192.0.2.10'), {
    cmd: 'set',
    name: 'ip-address',
    value: { kind: 'data', bytes: Uint8Array.of(192, 0, 2, 10) },
  });
  assert.deepEqual(parseLine('set hardware-address = 00:16:36:51:5d:5a'), {
    cmd: 'set',
    name: 'hardware-address',
    value: { kind: 'data', bytes: Uint8Array.of(0, 0x16, 0x36, 0x51, 0x5d, 0x5a) },
  });
  assert.deepEqual(parseLine('set x = 5d:0:FF'), {
    cmd: 'set',
    name: 'x',
    value: { kind: 'data', bytes: Uint8Array.of(0x5d, 0, 0xff) },
  });
  assert.deepEqual(parseLine('set x = ab'), {
    cmd: 'set',
    name: 'x',
    value: { kind: 'data', bytes: Uint8Array.of(0xab) },
  });
});

test('errors worded as omshell words them', () => {
  assert.deepEqual(parseLine('frobnicate'), { cmd: 'error', text: 'unknown token: frobnicate' });
  assert.deepEqual(parseLine('set name "x"'), { cmd: 'error', text: 'usage: set <name> = <value>' });
  assert.deepEqual(parseLine('set name ='), { cmd: 'error', text: 'invalid value.' });
  assert.deepEqual(parseLine('set x = hello'), { cmd: 'error', text: 'invalid value.' });
  assert.deepEqual(parseLine('set ip-address = 192.0.2.300'), { cmd: 'error', text: 'dotted octet > 255: 300' });
  assert.deepEqual(parseLine('set x = 00:zz'), { cmd: 'error', text: 'usage: set <name> = <value>' });
  assert.deepEqual(parseLine('new'), { cmd: 'error', text: 'usage: new <object-type>' });
  assert.deepEqual(parseLine('open now'), { cmd: 'error', text: 'usage: open' });
  assert.deepEqual(parseLine('port'), { cmd: 'error', text: 'usage: port <port>' });
  assert.deepEqual(parseLine('port nosuch'), { cmd: 'error', text: 'unknown service name: nosuch' });
  assert.deepEqual(parseLine('key onlyname'), { cmd: 'error', text: 'usage: key <name> <value>' });
  assert.deepEqual(parseLine('server'), { cmd: 'error', text: 'usage: server <server>' });
});
