// Starts `serve(flags)` with dhcpd's command line, for end-to-end tests run before src/cli/server.ts
// hands the serving path to serve(). Inert unless a Lab started it inside its own namespace: `node
// --test dist/test/` runs every .js file, and a server must never start in the root namespace.

import { parseDhcpdFlags } from '../../../src/cli/dhcpd-flags.js';
import { serve } from '../../../src/cli/serve.js';
import { CHILD_NETNS_ENV, inNamespace } from '../lib/child.js';

const ns = process.env[CHILD_NETNS_ENV];
if (ns !== undefined) {
  if (!ns.startsWith('lh-') || !inNamespace(ns)) {
    process.stderr.write(`refusing to run: not inside test namespace ${JSON.stringify(ns)}\n`);
    process.exit(2);
  }
  const parsed = parseDhcpdFlags(process.argv.slice(2));
  if (!parsed.ok) {
    process.stderr.write(`bad flags: ${'error' in parsed ? parsed.error : 'help'}\n`);
    process.exit(2);
  }
  serve(parsed.flags).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`serve failed: ${String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
