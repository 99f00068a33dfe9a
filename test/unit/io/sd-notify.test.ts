// sd_notify: the messages, the no-op without NOTIFY_SOCKET, and real datagrams through the native addon to a unix
// socket a python3 receiver binds in a temporary directory (Node cannot bind one).

import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { NativeAddon, NativeLoad } from '../../../src/io/native.js';
import {
  notify,
  notifyReady,
  notifyReloading,
  notifySocket,
  notifyStatus,
  notifyStopping,
  type UnixDgramSend,
  unixDgramSender,
} from '../../../src/io/sd-notify.js';

const dir = mkdtempSync(join(tmpdir(), 'lh-sd-notify-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const hasPython = spawnSync('python3', ['-c', 'pass'], { timeout: 10_000 }).status === 0;
const sender = unixDgramSender();
const skipReal = !hasPython ? 'python3 not found' : !sender.ok ? sender.reason : false;

// Binds a unix datagram socket ('@name': abstract), prints "ready", then prints each datagram in hex until it has
// `count` of them or `wait` seconds pass; with count 0 it reads nothing and only waits (a full queue).
const RECEIVER = `
import socket, sys, time
path, count, wait = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\\0' + path[1:] if path.startswith('@') else path)
print('ready', flush=True)
if count == 0:
    time.sleep(wait)
    sys.exit(0)
s.settimeout(wait)
try:
    for _ in range(count):
        print('>' + s.recv(262144).hex(), flush=True)
except socket.timeout:
    pass
`;

interface Receiver {
  ready: Promise<void>;
  /** The datagrams received, once the receiver has exited. */
  done: Promise<Buffer[]>;
  stop(): void;
}

function receiver(path: string, count: number, waitSeconds = 5): Receiver {
  const child = spawn('python3', ['-c', RECEIVER, path, String(count), String(waitSeconds)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  let readyResolve: () => void = () => undefined;
  let readyReject: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((res, rej) => {
    readyResolve = res;
    readyReject = rej;
  });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
    if (out.startsWith('ready\n')) readyResolve();
  });
  const done = new Promise<Buffer[]>((resolve) => {
    child.on('exit', () => {
      readyReject(new Error('receiver exited before it was ready'));
      resolve(
        out
          .split('\n')
          .slice(1)
          .filter((l) => l.startsWith('>'))
          .map((l) => Buffer.from(l.slice(1), 'hex')),
      );
    });
  });
  return { ready, done, stop: () => child.kill('SIGTERM') };
}

function recorder(result: number | Error = 1) {
  const calls: { path: string; data: string[] }[] = [];
  const send: UnixDgramSend = (path, data) => {
    calls.push({ path, data: (Buffer.isBuffer(data) ? [data] : [...data]).map((b) => b.toString('utf8')) });
    if (result instanceof Error) throw result;
    return result;
  };
  return { calls, send };
}

test('without NOTIFY_SOCKET every call is a no-op', () => {
  const { calls, send } = recorder();
  const errors: string[] = [];
  const options = { env: {}, send, onError: (m: string) => errors.push(m) };
  assert.equal(notify('READY=1', options), false);
  assert.equal(notifyReady('up', options), false);
  assert.equal(notifyReloading(undefined, options), false);
  assert.equal(notifyStopping(undefined, options), false);
  assert.deepEqual(calls, []);
  assert.deepEqual(errors, [], 'not being under systemd is not an error');
});

test('NOTIFY_SOCKET: paths and abstract names, nothing else', () => {
  assert.equal(notifySocket({ NOTIFY_SOCKET: '/run/systemd/notify' }), '/run/systemd/notify');
  assert.equal(
    notifySocket({ NOTIFY_SOCKET: '@/org/freedesktop/systemd1/notify/1' }),
    '@/org/freedesktop/systemd1/notify/1',
  );
  assert.equal(notifySocket({ NOTIFY_SOCKET: '' }), undefined);
  assert.equal(notifySocket({ NOTIFY_SOCKET: '@' }), undefined);
  assert.equal(notifySocket({ NOTIFY_SOCKET: 'vsock:2:1234' }), undefined);
  const { calls, send } = recorder();
  const errors: string[] = [];
  assert.equal(
    notify('READY=1', { env: { NOTIFY_SOCKET: 'vsock:2:1234' }, send, onError: (m) => errors.push(m) }),
    false,
  );
  assert.deepEqual(calls, []);
  assert.match(errors[0] ?? '', /unsupported NOTIFY_SOCKET vsock:2:1234/);
});

test('READY, RELOADING, STOPPING and STATUS messages', () => {
  const { calls, send } = recorder();
  const options = { env: { NOTIFY_SOCKET: '/run/systemd/notify' }, send };
  assert.equal(notifyReady(undefined, options), true);
  assert.equal(notifyReady('Serving eth0\nand eth1', options), true);
  const before = process.hrtime.bigint() / 1000n;
  assert.equal(notifyReloading('Reloading /etc/dhcp/dhcpd.conf', options), true);
  const afterUs = process.hrtime.bigint() / 1000n;
  assert.equal(notifyStopping(undefined, options), true);
  assert.equal(notifyStatus('3 leases', options), true);
  assert.deepEqual(
    calls.map((c) => c.path),
    Array(5).fill('/run/systemd/notify'),
  );
  assert.deepEqual(calls[0]?.data, ['READY=1']);
  assert.deepEqual(calls[1]?.data, ['READY=1\nSTATUS=Serving eth0 and eth1'], 'a status stays one assignment');
  const reloading = calls[2]?.data[0] ?? '';
  const m = /^RELOADING=1\nMONOTONIC_USEC=(\d+)\nSTATUS=Reloading \/etc\/dhcp\/dhcpd.conf$/.exec(reloading);
  assert.ok(m, reloading);
  const usec = BigInt(m[1]!);
  assert.ok(usec >= before && usec <= afterUs, 'MONOTONIC_USEC is CLOCK_MONOTONIC in microseconds');
  assert.deepEqual(calls[3]?.data, ['STOPPING=1']);
  assert.deepEqual(calls[4]?.data, ['STATUS=3 leases']);
});

test('a failed notification returns false and says why, never throws', () => {
  const env = { NOTIFY_SOCKET: '/run/systemd/notify' };
  const errors: string[] = [];
  const thrown = Object.assign(new Error('connect ECONNREFUSED: connection refused'), { code: 'ECONNREFUSED' });
  assert.equal(notify('READY=1', { env, send: recorder(thrown).send, onError: (m) => errors.push(m) }), false);
  assert.equal(notify('READY=1', { env, send: recorder(0).send, onError: (m) => errors.push(m) }), false);
  assert.match(errors[0] ?? '', /ECONNREFUSED/);
  assert.match(errors[1] ?? '', /queue full/);
});

test('an addon built before unixDgramSend is reported as stale', () => {
  const load: NativeLoad = { ok: true, addon: { abiVersion: 2 } as unknown as NativeAddon, path: '/x.node' };
  const s = unixDgramSender(load);
  assert.equal(s.ok, false);
  assert.match(s.ok ? '' : s.reason, /no unixDgramSend: stale build/);
  assert.deepEqual(unixDgramSender({ ok: false, reason: 'not built', path: '/x.node' }), {
    ok: false,
    reason: 'not built',
  });
});

test(
  'notify() reaches a real unix datagram socket, by path and by abstract name',
  { skip: skipReal, timeout: 20_000 },
  async () => {
    const path = join(dir, 'notify.sock');
    const byPath = receiver(path, 3);
    await byPath.ready;
    const env = { NOTIFY_SOCKET: path };
    assert.equal(notifyReady('Serving', { env }), true);
    assert.equal(notifyReloading(undefined, { env }), true);
    assert.equal(notifyStopping(undefined, { env }), true);
    const got = (await byPath.done).map((b) => b.toString('utf8'));
    assert.equal(got.length, 3);
    assert.equal(got[0], 'READY=1\nSTATUS=Serving');
    assert.match(got[1] ?? '', /^RELOADING=1\nMONOTONIC_USEC=\d+$/);
    assert.equal(got[2], 'STOPPING=1');

    const abstract = `@leasehold-test/${process.pid}/${Math.random().toString(36).slice(2)}`;
    const byName = receiver(abstract, 1);
    await byName.ready;
    assert.equal(notify('READY=1', { env: { NOTIFY_SOCKET: abstract } }), true);
    assert.deepEqual(
      (await byName.done).map((b) => b.toString('utf8')),
      ['READY=1'],
    );
  },
);

test(
  'unixDgramSend: errors by errno name, one datagram per buffer, never blocks',
  { skip: skipReal, timeout: 20_000 },
  async () => {
    if (!sender.ok) return;
    const send = sender.send;
    assert.throws(() => send(join(dir, 'absent.sock'), Buffer.from('x')), { code: 'ENOENT', syscall: 'connect' });
    assert.throws(() => send(`/${'x'.repeat(200)}`, Buffer.from('x')), { code: 'ENAMETOOLONG' });
    assert.throws(() => send(join(dir, 'a.sock'), 'text' as unknown as Buffer), TypeError);
    assert.equal(send(join(dir, 'absent.sock'), []), 0, 'nothing to send: no socket at all');

    const path = join(dir, 'batch.sock');
    const batch = receiver(path, 3);
    await batch.ready;
    assert.equal(send(path, [Buffer.from('one'), Buffer.alloc(0), Buffer.from('three')]), 3);
    assert.deepEqual(
      (await batch.done).map((b) => b.toString('utf8')),
      ['one', '', 'three'],
    );

    // A receiver that reads nothing: its queue fills and the call returns what went, at once.
    const fullPath = join(dir, 'full.sock');
    const full = receiver(fullPath, 0, 10);
    await full.ready;
    const many = Array.from({ length: 5000 }, (_, i) => Buffer.from(`line ${i} ${'x'.repeat(200)}`));
    const started = process.hrtime.bigint();
    const sent = send(fullPath, many);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(sent > 0 && sent < many.length, `sent ${sent} of ${many.length}`);
    assert.equal(send(fullPath, many[0]!), 0, 'still full: 0, not an error');
    assert.ok(ms < 1000, `took ${ms} ms`);
    full.stop();
    await full.done;
  },
);
