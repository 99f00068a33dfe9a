// `leasehold server`: the dhcpd replacement. For now it implements `-t` (check the
// configuration as `dhcpd -t` does: silent success, or the first error with its file, line,
// column, source line and caret); serving comes with the server's issue.

import { readFileSync } from 'node:fs';
import { formatDiagnostic, parseDhcpdConf } from '../conf/index.js';
import { DHCPD_USAGE, parseDhcpdFlags } from './dhcpd-flags.js';

/** Reads configuration files; a path that cannot be read is "cannot open" (undefined). */
function readConfFile(path: string): Uint8Array | undefined {
  try {
    return new Uint8Array(readFileSync(path));
  } catch {
    return undefined;
  }
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseDhcpdFlags(args);
  if (!parsed.ok) {
    if ('help' in parsed) {
      process.stdout.write(DHCPD_USAGE);
      return 0;
    }
    process.stderr.write(`leasehold server: ${parsed.error}\n${DHCPD_USAGE}`);
    return 2;
  }
  const flags = parsed.flags;
  if (flags.testConfig) return testConfig(flags.configFile, flags.quiet);
  if (flags.testLeases) {
    process.stderr.write('leasehold server: -T (test the lease database) is not built yet\n');
    return 2;
  }
  process.stderr.write(
    'leasehold server: serving is not built yet; only `leasehold server -t [-cf FILE]` (check the configuration) works so far\n',
  );
  return 2;
}

/** `-t`: parse and check the configuration; print the first error, if any. */
export function testConfig(configFile: string, quiet: boolean): number {
  const result = parseDhcpdConf(configFile, { readFile: readConfFile });
  const out: string[] = [];
  if (result.error !== undefined) {
    out.push(formatDiagnostic(result.error, result.sources.get(result.error.file)));
    out.push('Configuration file errors encountered -- exiting\n');
    process.stderr.write(out.join(''));
    return 1;
  }
  if (!quiet) {
    for (const w of result.warnings) out.push(formatDiagnostic(w, result.sources.get(w.file)));
    if (result.unsupported.length > 0) {
      out.push('Parsed, but not acted on yet by Leasehold:\n');
      for (const u of result.unsupported)
        out.push(`  ${u.file}:${u.line}: ${u.message.replace(/: not yet supported.*$/, '')}\n`);
    }
    process.stderr.write(out.join(''));
  }
  return 0;
}
