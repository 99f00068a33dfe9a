// Syslog: RFC 3164 lines as glibc's syslog(3) writes them, facilities by log-facility's names, batching, the
// stderr fallback, and real datagrams to a /dev/log stand-in bound by python3 in a temporary directory.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type UnixDgramSend, unixDgramSender } from '../../../src/io/sd-notify.js';
import {
  DEFAULT_FACILITY,
  formatSyslogLine,
  LOG_ERR,
  LOG_INFO,
  MAX_HELD_LINES,
  syslogFacility,
  syslogLogger,
  syslogTimestamp,
  teeLogger,
} from '../../../src/io/syslog.js';
import { memoryLogger } from '../../../src/server/daemon-log.js';

const dir = mkdtempSync(join(tmpdir(), 'lh-syslog-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const hasPython = spawnSync('python3', ['-c', 'pass'], { timeout: 10_000 }).status === 0;
const sender = unixDgramSender();
const skipReal = !hasPython ? 'python3 not found' : !sender.ok ? sender.reason : false;

// A /dev/log stand-in: binds the path, prints "ready", then each datagram in hex until it has `count` of them or
// `wait` seconds pass; with count 0 it reads nothing (a log daemon that has fallen behind).
const RECEIVER = `
import socket, sys, time
path, count, wait = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
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

function receiver(path: string, count: number, waitSeconds = 5) {
  const child = spawn('python3', ['-c', RECEIVER, path, String(count), String(waitSeconds)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.startsWith('ready\n')) resolve();
    });
    child.on('exit', () => reject(new Error('receiver exited before it was ready')));
  });
  const done = new Promise<string[]>((resolve) => {
    child.on('exit', () =>
      resolve(
        out
          .split('\n')
          .slice(1)
          .filter((l) => l.startsWith('>'))
          .map((l) => Buffer.from(l.slice(1), 'hex').toString('utf8')),
      ),
    );
  });
  return { ready, done, stop: () => child.kill('SIGTERM') };
}

/** A send that records and answers as told (a count, or an Error to throw). */
function recorder(answers: (number | Error | 'all')[] = []) {
  const calls: { path: string; lines: string[] }[] = [];
  const send: UnixDgramSend = (path, data) => {
    const lines = (Buffer.isBuffer(data) ? [data] : [...data]).map((b) => b.toString('utf8'));
    calls.push({ path, lines });
    const a = answers.shift() ?? 'all';
    if (a instanceof Error) throw a;
    return a === 'all' ? lines.length : a;
  };
  return { calls, send };
}

/** A logger on a fixed clock whose flushes run only when the test says so. */
function manual(send: UnixDgramSend, extra: Parameters<typeof syslogLogger>[0] = {}) {
  const scheduled: { flush: () => void; delay: number }[] = [];
  const fallback: string[] = [];
  const now = new Date(2024, 0, 5, 3, 4, 5).getTime();
  const log = syslogLogger({
    send,
    path: '/test/dev/log',
    pid: 4242,
    clock: () => now,
    fallback: (t) => fallback.push(t),
    schedule: (flush, delay) => scheduled.push({ flush, delay }),
    ...extra,
  });
  return { log, scheduled, fallback, stamp: 'Jan  5 03:04:05' };
}

test('log-facility names map to <sys/syslog.h> codes', () => {
  assert.equal(DEFAULT_FACILITY, 24);
  assert.equal(syslogFacility('daemon'), 24);
  assert.equal(syslogFacility('kern'), 0);
  assert.equal(syslogFacility('local0'), 128);
  assert.equal(syslogFacility('local7'), 184);
  assert.equal(syslogFacility('authpriv'), 80);
  assert.equal(syslogFacility('LOCAL7'), undefined, 'ISC matches names case-sensitively');
  assert.equal(syslogFacility('bogus'), undefined);
  assert.equal(syslogFacility(184), 184);
  assert.equal(syslogFacility(5), undefined);
  assert.equal(syslogFacility(undefined), undefined);
});

test('RFC 3164 lines as glibc sends them to /dev/log', () => {
  assert.equal(syslogTimestamp(new Date(2024, 0, 5, 3, 4, 5).getTime()), 'Jan  5 03:04:05');
  assert.equal(syslogTimestamp(new Date(2023, 11, 25, 23, 59, 9).getTime()), 'Dec 25 23:59:09');
  const ms = new Date(2024, 2, 15, 12, 0, 0).getTime();
  assert.equal(formatSyslogLine(24 | LOG_ERR, ms, 'leasehold', 42, 'boom'), '<27>Mar 15 12:00:00 leasehold[42]: boom');
  assert.equal(formatSyslogLine(184 | LOG_INFO, ms, 'dhcpd', 7, 'x'), '<190>Mar 15 12:00:00 dhcpd[7]: x');
});

test('lines are batched into one send, with a severity per call and a facility per line', () => {
  const { calls, send } = recorder();
  const { log, scheduled, fallback, stamp } = manual(send);
  log.info('DHCPDISCOVER from 00:11:22:33:44:55 via eth0');
  log.error('Configuration file errors encountered -- exiting');
  log.error('first\nsecond');
  assert.equal(calls.length, 0, 'nothing sent before the flush');
  assert.equal(scheduled.length, 1, 'one flush scheduled for the batch');
  assert.equal(scheduled[0]?.delay, Number.NEGATIVE_INFINITY, 'a line after a quiet spell goes at the end of the turn');
  scheduled[0]?.flush();
  assert.deepEqual(calls, [
    {
      path: '/test/dev/log',
      lines: [
        `<30>${stamp} leasehold[4242]: DHCPDISCOVER from 00:11:22:33:44:55 via eth0`,
        `<27>${stamp} leasehold[4242]: Configuration file errors encountered -- exiting`,
        `<27>${stamp} leasehold[4242]: first`,
        `<27>${stamp} leasehold[4242]: second`,
      ],
    },
  ]);
  assert.deepEqual(fallback, []);

  assert.equal(log.setFacility('local7'), true);
  assert.equal(log.facility, 184);
  log.info('a');
  assert.equal(log.setFacility('nonsense'), false, 'an unknown name changes nothing');
  log.error('b');
  assert.equal(log.setFacility(undefined), true);
  log.info('c');
  assert.equal(scheduled.length, 2);
  scheduled[1]?.flush();
  assert.deepEqual(calls[1]?.lines, [
    `<190>${stamp} leasehold[4242]: a`,
    `<187>${stamp} leasehold[4242]: b`,
    `<30>${stamp} leasehold[4242]: c`,
  ]);
  log.flush();
  assert.equal(calls.length, 2, 'an empty flush sends nothing');
});

test('a burst is sent without waiting for the timer once 256 lines are held', () => {
  const { calls, send } = recorder();
  const { log, scheduled } = manual(send, { facility: 'local0', ident: 'dhcpd' });
  for (let i = 0; i < 256; i++) log.info(`line ${i}`);
  assert.equal(calls.length, 1);
  assert.equal(calls[0]?.lines.length, 256);
  assert.match(calls[0]?.lines[0] ?? '', /^<134>Jan {2}5 03:04:05 dhcpd\[4242\]: line 0$/);
  assert.equal(scheduled.length, 1);
});

test('while syslog cannot take lines they go to the fallback, and the outage is told once', () => {
  const enoent = Object.assign(new Error('connect ENOENT: no such file or directory (/test/dev/log)'), {
    code: 'ENOENT',
  });
  const { calls, send } = recorder([enoent, enoent, 'all', 1]);
  const { log, fallback, stamp } = manual(send);
  const host = hostname();
  log.info('one');
  log.flush();
  log.error('two');
  log.flush();
  assert.equal(calls.length, 2);
  assert.deepEqual(fallback, [
    `${stamp} ${host} leasehold[4242]: Can't log to syslog (connect ENOENT: no such file or directory (/test/dev/log)); logging to stderr until it can.\n` +
      `${stamp} ${host} leasehold[4242]: one\n`,
    `${stamp} ${host} leasehold[4242]: two\n`,
  ]);

  log.info('three');
  log.flush();
  assert.deepEqual(calls[2]?.lines, [`<30>${stamp} leasehold[4242]: three`]);
  assert.match(
    calls[3]?.lines[0] ?? '',
    /^<30>.* leasehold\[4242\]: Logging to syslog again after connect ENOENT.*; 2 lines went to stderr meanwhile\.$/,
  );
  assert.equal(fallback.length, 2);
});

test('a full queue: what did not go is written to the fallback, not dropped', () => {
  const { send } = recorder([1]);
  const { log, fallback, stamp } = manual(send);
  log.info('a');
  log.info('b');
  log.info('c');
  log.flush();
  assert.equal(fallback.length, 1);
  const lines = fallback[0]?.trimEnd().split('\n') ?? [];
  assert.match(lines[0] ?? '', /Can't log to syslog \(\/test\/dev\/log: the log daemon's queue is full\)/);
  assert.deepEqual(lines.slice(1), [
    `${stamp} ${hostname()} leasehold[4242]: b`,
    `${stamp} ${hostname()} leasehold[4242]: c`,
  ]);
});

test('a full queue holds the lines back for a retry instead of a send per line', () => {
  const { calls, send } = recorder([1, 0, 'all']);
  const { log, scheduled, fallback } = manual(send);
  for (let i = 0; i < 256; i++) log.info(`line ${i}`);
  assert.equal(calls.length, 1, 'the 256th line sends the batch');
  assert.equal(calls[0]?.lines.length, 256);
  for (let i = 256; i < 600; i++) log.info(`line ${i}`);
  assert.equal(calls.length, 1, 'while backed up, lines wait for the retry');
  const retry = scheduled.at(-1);
  assert.equal(retry?.delay, 20);
  retry?.flush();
  assert.equal(calls.length, 2);
  assert.equal(calls[1]?.lines.length, 599, 'everything held, oldest first');
  assert.match(calls[1]?.lines[0] ?? '', /: line 1$/);
  scheduled.at(-1)?.flush();
  assert.equal(calls[2]?.lines.length, 599);
  assert.match(calls[2]?.lines[598] ?? '', /: line 599$/);
  assert.deepEqual(fallback, [], 'a queue that drains loses nothing to stderr');
});

test('held lines are bounded: beyond MAX_HELD_LINES they go to the fallback', () => {
  const { calls, send } = recorder([0]);
  const { log, fallback } = manual(send);
  for (let i = 0; i < MAX_HELD_LINES + 10; i++) log.info(`line ${i}`);
  assert.equal(calls.length, 1);
  assert.equal(fallback.length, 1);
  const diverted = fallback[0]?.trimEnd().split('\n') ?? [];
  assert.match(diverted[0] ?? '', /Can't log to syslog \(\/test\/dev\/log: the log daemon's queue is full\)/);
  assert.equal(diverted.length, 1 + MAX_HELD_LINES);
  assert.match(diverted.at(-1) ?? '', /: line 4095$/);
  log.flush();
  assert.equal(calls[1]?.lines.length, 10, 'the rest, at the explicit flush');
  assert.match(
    calls[2]?.lines[0] ?? '',
    /Logging to syslog again after .*queue is full; 4096 lines went to stderr meanwhile\./,
  );
});

test('teeLogger writes each line to every logger', () => {
  const a = memoryLogger();
  const b = memoryLogger();
  const t = teeLogger(a, b);
  t.info('x');
  t.error('y');
  t.flush();
  assert.deepEqual(a.lines, ['x', 'y']);
  assert.deepEqual(b.lines, ['x', 'y']);
});

test('lines reach a /dev/log stand-in through the native addon', { skip: skipReal, timeout: 20_000 }, async () => {
  const path = join(dir, 'log.sock');
  const devLog = receiver(path, 3);
  await devLog.ready;
  const fallback: string[] = [];
  const log = syslogLogger({ path, facility: 'local7', pid: 4242, fallback: (t) => fallback.push(t) });
  log.info('DHCPACK on 192.0.2.100 to 00:11:22:33:44:55 via eth0');
  log.error('Abandoning IP address 192.0.2.101: declined.');
  log.flush();
  log.setFacility('daemon');
  log.info('Server starting service.');
  // The scheduled flush, on the real event loop.
  const got = await devLog.done;
  const stamp = String.raw`[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}`;
  assert.equal(got.length, 3, JSON.stringify({ got, fallback }));
  assert.match(
    got[0] ?? '',
    new RegExp(`^<190>${stamp} leasehold\\[4242\\]: DHCPACK on 192\\.0\\.2\\.100 to 00:11:22:33:44:55 via eth0$`),
  );
  assert.match(
    got[1] ?? '',
    new RegExp(`^<187>${stamp} leasehold\\[4242\\]: Abandoning IP address 192\\.0\\.2\\.101: declined\\.$`),
  );
  assert.match(got[2] ?? '', new RegExp(`^<30>${stamp} leasehold\\[4242\\]: Server starting service\\.$`));
  assert.deepEqual(fallback, []);
});

test('a log daemon that has fallen behind never blocks the server', { skip: skipReal, timeout: 20_000 }, async () => {
  const path = join(dir, 'slow.sock');
  const devLog = receiver(path, 0, 10);
  await devLog.ready;
  const fallback: string[] = [];
  const log = syslogLogger({ path, fallback: (t) => fallback.push(t), schedule: () => undefined });
  const started = process.hrtime.bigint();
  for (let i = 0; i < 5000; i++) log.info(`DHCPREQUEST ${i} ${'x'.repeat(100)}`);
  log.flush();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.ok(ms < 2000, `took ${ms} ms`);
  const text = fallback.join('');
  assert.match(text, /Can't log to syslog \(.*queue is full\)/);
  assert.match(text, /DHCPREQUEST 4999 /, 'the last line is in the fallback');
  assert.equal(text.match(/Can't log to syslog/g)?.length, 1, 'the outage is told once');
  devLog.stop();
  await devLog.done;
});
