// `leasehold server`: the dhcpd replacement. `-t` checks the configuration as `dhcpd -t` does
// (silent success, or the first error with its file, line, column, source line and caret); `-T`
// checks the lease database as `dhcpd -T` does; otherwise it serves (src/cli/serve.ts).

import { formatDiagnostic, parseDhcpdConf } from '../conf/index.js';
import { buildScopeTree } from '../conf/scope-tree.js';
import { checkLeasesFile } from '../leases/check.js';
import type { ParseLeasesOptions } from '../leases/reader.js';
import { readConfFile } from '../server/daemon-start.js';
import { DHCPD_USAGE, parseDhcpdFlags } from './dhcpd-flags.js';
import { serve } from './serve.js';

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
  if (flags.testLeases) return testLeases(flags.configFile, flags.leaseFile, flags.quiet);
  return serve(flags);
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

/**
 * `-T`: would this lease database load? Like `dhcpd -T`, the configuration is read first when it
 * exists, so hosts, classes and failover peers declared there are known to the lease checks.
 * Unlike `dhcpd -T` (which always exits 0), the exit status is 1 when the file would not load,
 * so scripts can act on it.
 */
export async function testLeases(configFile: string, leaseFile: string, quiet: boolean): Promise<number> {
  const opts: ParseLeasesOptions = {};
  const conf = parseDhcpdConf(configFile, { readFile: readConfFile });
  if (conf.conf !== undefined && conf.error === undefined) {
    const tree = buildScopeTree(conf.conf, conf.catalogue);
    opts.hosts = tree.hosts.map((h) => h.name);
    opts.classes = tree.classes.keys();
    opts.failoverPeers = tree.failoverPeers.keys();
  } else if (conf.error !== undefined && !conf.error.message.startsWith("Can't open")) {
    process.stderr.write(formatDiagnostic(conf.error, conf.sources.get(conf.error.file)));
    process.stderr.write('Configuration file errors encountered -- exiting\n');
    return 1;
  }
  const result = await checkLeasesFile(leaseFile, opts);
  if (!result.ok) {
    process.stderr.write(result.message);
    return 1;
  }
  if (!quiet) process.stderr.write(result.message);
  return 0;
}
