// `leasehold shell`: the omshell replacement. omshell's command language (src/shell/parse.ts) over Leasehold's
// OMAPI client (src/omapi/client.ts). Interactive with line editing and history when stdin is a terminal;
// otherwise it reads commands from stdin and prints what omshell prints when scripted: the object (once
// connected) and the prompt "> " before each line, so omshell scripts and their output parsers keep working.

import { createInterface } from 'node:readline';
import { OmapiClient } from '../omapi/daemon-client.js';
import { HELP, Shell } from '../shell/shell.js';

export const SHELL_USAGE = `usage: leasehold shell [--raw]
Manage a running DHCP server through OMAPI (omapi-port), as ISC's omshell does: commands on stdin, one a line,
interactive (line editing, history) when stdin is a terminal.
  --raw      print values as omshell does (hex bytes, "strings", integers); by default addresses are dotted
             quads, times UTC dates and a lease's state a name
Example:
  server 127.0.0.1
  port 7911
  key omkey c2VjcmV0c2VjcmV0c2VjcmV0      (only when the server sets omapi-key)
  connect
  new lease
  set ip-address = 192.0.2.10
  open
${HELP}`;

export async function run(args: string[]): Promise<number> {
  let raw = false;
  for (const a of args) {
    if (a === '-h' || a === '--help') {
      process.stdout.write(SHELL_USAGE);
      return 0;
    }
    if (a === '--raw') raw = true;
    else {
      process.stderr.write(`leasehold shell: unknown argument '${a}'\n${SHELL_USAGE}`);
      return 2;
    }
  }
  const shell = new Shell({
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    connect: (req) => OmapiClient.connect(req),
    raw,
  });
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const rl = createInterface({
    input: process.stdin,
    ...(tty ? { output: process.stdout, terminal: true, historySize: 500, prompt: '> ' } : {}),
  });
  const prompt = () => {
    process.stdout.write(shell.status());
    if (tty) rl.prompt();
    else process.stdout.write('> ');
  };
  prompt();
  try {
    for await (const line of rl) {
      if (tty) rl.pause();
      await shell.line(line);
      if (tty) rl.resume();
      prompt();
    }
  } finally {
    shell.end();
    rl.close();
  }
  if (tty) process.stdout.write('\n');
  return 0;
}
