// Subcommand dispatcher: each subcommand lives in its own file and is loaded on demand,
// so `leasehold client` never pays for the server's modules.

type Runner = (args: string[]) => Promise<number>;

const SUBCOMMANDS: Record<string, { summary: string; load: () => Promise<Runner> }> = {
  server: {
    summary: 'DHCP server (replaces ISC dhcpd)',
    load: async () => (await import('./server.js')).run,
  },
  client: {
    summary: 'DHCP client (replaces ISC dhclient)',
    load: async () => (await import('./client.js')).run,
  },
  relay: {
    summary: 'DHCP relay agent (replaces ISC dhcrelay)',
    load: async () => (await import('./relay.js')).run,
  },
  shell: { summary: 'OMAPI shell (replaces ISC omshell)', load: async () => (await import('./shell.js')).run },
};

function usage(): string {
  const lines = ['usage: leasehold <subcommand> [flags]', '', 'subcommands:'];
  for (const [name, s] of Object.entries(SUBCOMMANDS)) lines.push(`  ${name.padEnd(10)} ${s.summary}`);
  lines.push('', 'Run `leasehold <subcommand> --help` for its flags.');
  return `${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '-h' || sub === '--help' || sub === 'help') {
    process.stdout.write(usage());
    return sub === undefined ? 2 : 0;
  }
  const entry = SUBCOMMANDS[sub];
  if (entry === undefined) {
    process.stderr.write(`leasehold: unknown subcommand '${sub}'\n${usage()}`);
    return 2;
  }
  const run = await entry.load();
  return run(rest);
}
