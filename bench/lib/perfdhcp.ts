// Reading perfdhcp's report: sent/received/drops and min/avg/max delay of each exchange
// (DISCOVER-OFFER = `do_*`, REQUEST-ACK = `ra_*`), and its own "Rate:" line.

import { readFileSync } from 'node:fs';

export type PerfdhcpFigures = Record<string, string>;

const KEYS: [string, string][] = [
  ['sent packets', 'sent'],
  ['received packets', 'recv'],
  ['drops', 'drops'],
  ['orphans', 'orphans'],
  ['min delay', 'min'],
  ['avg delay', 'avg'],
  ['max delay', 'max'],
];

export function parsePerfdhcp(text: string): PerfdhcpFigures {
  const out: PerfdhcpFigures = {};
  let section: 'do' | 'ra' | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const rate = /^Rate:\s*([0-9.]+)/.exec(line);
    if (rate) out.pd_rate = rate[1]!;
    if (line.includes('Statistics for: DISCOVER-OFFER')) section = 'do';
    else if (line.includes('Statistics for: REQUEST-ACK')) section = 'ra';
    else if (line.startsWith('***')) section = undefined;
    if (section === undefined) continue;
    for (const [key, name] of KEYS) {
      if (!line.startsWith(`${key}:`)) continue;
      const v =
        line
          .slice(key.length + 1)
          .trim()
          .split(/\s+/)[0] ?? '';
      out[`${section}_${name}`] = /^-?[0-9.]+$/.test(v) ? v : '';
    }
  }
  return out;
}

export function parsePerfdhcpFile(path: string): PerfdhcpFigures {
  return parsePerfdhcp(readFileSync(path, 'latin1'));
}
