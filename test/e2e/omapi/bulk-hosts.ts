// A measuring tool, not a test: creates N hosts through OMAPI on one connection, one `open` with create and
// exclusive per host (what omshell's `create` sends), each waiting for its answer, and prints the time taken.
// Run it inside a namespace of your own against a server there (bench/RESULTS.md says how it was run):
//
//   node dist/test/e2e/omapi/bulk-hosts.js --bulk HOST PORT N [FIRST_OCTET]
//
// Inert without --bulk (node --test runs every .js file under dist/test).

import { connect } from 'node:net';
import {
  decodeIntro,
  decodeMessage,
  encodeIntro,
  encodeMessage,
  findValue,
  type NameValue,
  OMAPI_HEADER_SIZE,
  OP,
  readU32,
  stringValue,
  u32Value,
} from '../../../src/omapi/wire.js';

async function main(host: string, port: number, n: number): Promise<void> {
  const socket = connect({ host, port, noDelay: true });
  await new Promise<void>((ok, ko) => {
    socket.once('connect', ok);
    socket.once('error', ko);
  });
  let buf = Buffer.alloc(0);
  let introduced = false;
  let waiting: ((m: { op: number; result?: number; message?: string }) => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (!introduced) {
        const r = decodeIntro(buf);
        if (r.kind !== 'intro') return;
        introduced = true;
        buf = buf.subarray(r.end);
        continue;
      }
      const r = decodeMessage(buf, 0, OMAPI_HEADER_SIZE);
      if (r.kind === 'incomplete') return;
      if (r.kind === 'error') throw new Error(r.error.detail);
      buf = buf.subarray(r.end);
      const m = r.message;
      const result = readU32(findValue(m.message, 'result')?.value);
      const text = findValue(m.message, 'message')?.value;
      const w = waiting;
      waiting = undefined;
      w?.({
        op: m.op,
        ...(result !== undefined ? { result } : {}),
        ...(text ? { message: Buffer.from(text).toString() } : {}),
      });
    }
  });
  socket.write(encodeIntro());
  const started = performance.now();
  let failures = 0;
  let firstFailure = '';
  for (let i = 0; i < n; i++) {
    const mac = [0x52, 0x54, 0x01, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff];
    const object: NameValue[] = [
      { name: 'name', value: stringValue(`bulk${i}`) },
      { name: 'hardware-address', value: Uint8Array.from(mac) },
      { name: 'hardware-type', value: u32Value(1) },
      { name: 'ip-address', value: Uint8Array.of(203, 0, 113, i & 0xff) },
    ];
    const message: NameValue[] = [
      { name: 'type', value: stringValue('host') },
      { name: 'create', value: u32Value(1) },
      { name: 'exclusive', value: u32Value(1) },
    ];
    const answer = new Promise<{ op: number; result?: number; message?: string }>((ok) => {
      waiting = ok;
    });
    socket.write(encodeMessage({ op: OP.open, id: i + 1, message, object }));
    const a = await answer;
    if (a.op !== OP.update) {
      failures++;
      firstFailure ||= `host ${i}: status ${a.result} ${a.message ?? ''}`;
    }
  }
  const ms = performance.now() - started;
  socket.end();
  process.stdout.write(
    `${JSON.stringify({ hosts: n, failures, firstFailure, seconds: +(ms / 1000).toFixed(2), perSecond: Math.round(n / (ms / 1000)) })}\n`,
  );
}

const args = process.argv.slice(2);
if (args[0] === '--bulk') {
  main(args[1] ?? '127.0.0.1', Number(args[2] ?? 7911), Number(args[3] ?? 10000)).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exit(1);
    },
  );
}
