// A measuring tool, not a test: creates N hosts through OMAPI on one connection, one `open` with create and
// exclusive per host (what omshell's `create` sends), each waiting for its answer, and prints the time taken.
// Run it inside a namespace of your own against a server there (bench/RESULTS.md says how it was run):
//
//   node dist/test/e2e/omapi/bulk-hosts.js --bulk HOST PORT N [FIRST_OCTET]
//
// Inert without --bulk (node --test runs every .js file under dist/test).

import { OmapiClient } from '../../../src/omapi/daemon-client.js';
import { type NameValue, stringValue, u32Value } from '../../../src/omapi/wire.js';

async function main(host: string, port: number, n: number): Promise<void> {
  const client = await OmapiClient.connect({ host, port });
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
    const a = await client.create('host', object);
    if (a.kind !== 'object') {
      failures++;
      firstFailure ||= `host ${i}: status ${a.result} ${a.message ?? a.text}`;
    }
  }
  const ms = performance.now() - started;
  client.close();
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
