// A raw OMAPI client run inside the test namespace by bad-input.test.ts: it keeps one well-behaved session open
// and, between bad connections, checks that this session still gets its answers. Each scenario reports whether
// the server closed that connection and what it answered first.

import { connect, type Socket } from 'node:net';
import {
  decodeMessage,
  encodeIntro,
  encodeMessage,
  findValue,
  OP,
  type OutgoingMessage,
  readU32,
  stringValue,
} from '../../../src/omapi/wire.js';
import { runChild } from '../lib/child.js';

export interface RawInput {
  port: number;
  scenarios: string[];
  /** For 'many': how many connections at once. */
  many: number;
}

export interface ScenarioResult {
  closed: boolean;
  /** Ops (and status results) of the messages received before the close. */
  replies: string[];
  /** The good session answered the refresh that followed. */
  goodAlive: boolean;
  /** For 'many': how many connections were answered and how many were closed without an answer. */
  answered?: number;
  refused?: number;
}

interface Conn {
  sock: Socket;
  data: Buffer;
  closed: boolean;
  onChange: (() => void) | undefined;
}

const HOST = '127.0.0.1';

function open(port: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: HOST, port });
    const c: Conn = { sock, data: Buffer.alloc(0), closed: false, onChange: undefined };
    sock.on('data', (d) => {
      c.data = Buffer.concat([c.data, d]);
      c.onChange?.();
    });
    sock.on('close', () => {
      c.closed = true;
      c.onChange?.();
    });
    sock.on('error', () => {});
    sock.once('connect', () => resolve(c));
    sock.once('error', reject);
  });
}

/** Waits (bounded) until `done()` holds; returns whether it did. */
function until(c: Conn, done: () => boolean, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (done()) return resolve(true);
    const t = setTimeout(() => {
      c.onChange = undefined;
      resolve(done());
    }, ms);
    c.onChange = () => {
      if (done()) {
        clearTimeout(t);
        c.onChange = undefined;
        resolve(true);
      }
    };
  });
}

function replies(c: Conn): string[] {
  const out: string[] = [];
  let at = 8; // the server's introduction
  for (let i = 0; i < 100; i++) {
    const r = decodeMessage(c.data, at);
    if (r.kind !== 'message') break;
    const res = readU32(findValue(r.message.message, 'result')?.value);
    out.push(r.message.op === OP.status ? `status ${res}` : `op ${r.message.op}`);
    at = r.end;
  }
  return out;
}

let xid = 1;
const msg = (m: Omit<OutgoingMessage, 'id'>) => encodeMessage({ ...m, id: xid++ });

function badBytes(scenario: string): Buffer {
  const intro = Buffer.from(encodeIntro());
  switch (scenario) {
    case 'bad-value-length':
      return Buffer.concat([intro, Buffer.from(`${'00'.repeat(8)}00000001${'00'.repeat(12)}0001610fffffff`, 'hex')]);
    case 'bad-authlen':
      return Buffer.concat([intro, Buffer.from(encodeMessage({ op: OP.open, id: 1 }, undefined, 100000))]);
    case 'oversized':
      return Buffer.concat([
        intro,
        // two values each under the cap, together over it (the test's listener caps messages at 64 KiB)
        Buffer.from(
          msg({
            op: OP.open,
            object: [
              { name: 'statements', value: new Uint8Array(40_000) },
              { name: 'group', value: new Uint8Array(40_000) },
            ],
          }),
        ),
      ]);
    case 'unknown-opcode':
      return Buffer.concat([intro, Buffer.from(msg({ op: 42 }))]);
    case 'bad-header-size':
      return Buffer.from('0000006400000004', 'hex');
    case 'garbage':
      return Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    default:
      return Buffer.alloc(0);
  }
}

async function main(input: RawInput): Promise<Record<string, ScenarioResult>> {
  // The good session: intro, open the lease, keep the handle.
  const good = await open(input.port);
  good.sock.write(encodeIntro());
  good.sock.write(
    msg({
      op: OP.open,
      message: [{ name: 'type', value: stringValue('lease') }],
      object: [{ name: 'ip-address', value: Uint8Array.of(192, 0, 2, 10) }],
    }),
  );
  if (!(await until(good, () => replies(good).length >= 1, 5000))) throw new Error('the good session got no answer');
  const first = decodeMessage(good.data, 8);
  if (first.kind !== 'message' || first.message.op !== OP.update)
    throw new Error('the good session could not open the lease');
  const handle = first.message.handle;
  const goodAlive = async () => {
    const before = replies(good).length;
    good.sock.write(msg({ op: OP.refresh, handle }));
    return (await until(good, () => replies(good).length > before, 5000)) && !good.closed;
  };

  const results: Record<string, ScenarioResult> = {};
  for (const scenario of input.scenarios) {
    if (scenario === 'many') {
      const conns = await Promise.all(
        Array.from({ length: input.many }, () => open(input.port).catch(() => undefined)),
      );
      const live = conns.filter((c): c is Conn => c !== undefined);
      for (const c of live) c.sock.write(Buffer.concat([encodeIntro(), msg({ op: OP.notify })]));
      await Promise.all(live.map((c) => until(c, () => c.closed || replies(c).length > 0, 10_000)));
      const answered = live.filter((c) => replies(c).length > 0).length;
      const refused = input.many - answered;
      for (const c of live) c.sock.destroy();
      results[scenario] = { closed: refused > 0, replies: [], goodAlive: await goodAlive(), answered, refused };
      continue;
    }
    const c = await open(input.port);
    const bytes = badBytes(scenario);
    if (bytes.length > 0) c.sock.write(bytes);
    const closed = await until(c, () => c.closed, scenario === 'silent' ? 10_000 : 5000);
    results[scenario] = { closed, replies: replies(c), goodAlive: await goodAlive() };
    c.sock.destroy();
  }
  good.sock.destroy();
  return results;
}

runChild(main, 60_000);
