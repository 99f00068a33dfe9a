// bench/RESULTS.md holds the figures of the last run of each benchmark, each in its own section
// between markers, so `npm run bench` and `npm run bench:scale` can each replace their own
// section without touching the other's.

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, hostname, release, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bench/ folder of the source tree (this file runs from dist/bench/). */
export const BENCH_SRC_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../bench');
export const RESULTS_FILE = resolve(BENCH_SRC_DIR, 'RESULTS.md');

const HEADER =
  '# Leasehold benchmark results\n\n' +
  'Written by `npm run bench` (DORA rate against the peers) and `npm run bench:scale` (1,000,000 leases);\n' +
  'each run replaces its own section. See bench/README.md for the method and how to reproduce.\n';

/** One line naming the machine: kernel, CPU count and model, memory, Node. */
export function machineLine(): string {
  const c = cpus();
  const model = c[0]?.model.trim() ?? 'unknown CPU';
  return `${hostname()}: Linux ${release()}, ${c.length} CPUs (${model}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Replace (or add) the section `name` of RESULTS.md with `body`. */
export function writeSection(name: string, body: string, file = RESULTS_FILE): void {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  const block = `${begin}\n${body.trimEnd()}\n${end}`;
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a >= 0 && b > a) text = text.slice(0, a) + block + text.slice(b + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
