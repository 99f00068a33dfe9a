// Durability check from an strace log (strace -f -y -xx): is every DHCPACK sent only after
// the lease for its yiaddr was written to the lease file AND synced?
//
// Every send syscall carrying a DHCP message is decoded; for each DHCPACK the last write to a
// file whose path starts with the lease file's path that contains the address as text is
// found, and the ACK counts as durable when an fsync/fdatasync/sync_file_range on that file
// completed after that write and before the send started (or the file was opened O_SYNC/O_DSYNC).
// The same method as the reference harness (../shared/bench/lib/benchlib.py).

import { readFileSync } from 'node:fs';

const HEXSTR = /"((?:\\x[0-9a-f]{2})*)"/g;
const FDPATH = /^(\w+)\((\d+)<((?:\\x[0-9a-f]{2})*)>/;
const HEAD = /^(\d+)\s+(?:\d\d:\d\d:\d\d\.\d+\s+)?(.*)$/;
const SYNC_CALLS = new Set(['fsync', 'fdatasync', 'sync_file_range', 'syncfs', 'msync']);
const WRITE_CALLS = new Set(['write', 'writev', 'pwrite64', 'pwritev', 'pwritev2']);
const SEND_CALLS = new Set(['sendto', 'sendmsg', 'sendmmsg', 'write', 'writev']);
const OK = /=\s*0\b/;

function unhex(s: string): Buffer {
  return Buffer.from(s.replaceAll('\\x', ''), 'hex');
}

/** [message type, yiaddr] of the DHCP message inside a payload, or undefined. */
export function dhcpMessage(payload: Buffer): [number | undefined, string] | undefined {
  const cookie = Buffer.from([0x63, 0x82, 0x53, 0x63]);
  for (let p = payload.indexOf(cookie); p !== -1; p = payload.indexOf(cookie, p + 1)) {
    const base = p - 236;
    if (base < 0 || (payload[base] !== 1 && payload[base] !== 2)) continue;
    let type: number | undefined;
    for (let i = p + 4; i < payload.length; ) {
      const code = payload[i]!;
      if (code === 255) break;
      if (code === 0) {
        i++;
        continue;
      }
      if (i + 1 >= payload.length) break;
      const len = payload[i + 1]!;
      if (code === 53 && len >= 1 && i + 2 < payload.length) {
        type = payload[i + 2];
        break;
      }
      i += 2 + len;
    }
    return [type, [...payload.subarray(base + 16, base + 20)].join('.')];
  }
  return undefined;
}

type Event =
  | { kind: 'sync'; path: string }
  | { kind: 'write'; path: string; text: string }
  | { kind: 'send'; type: number | undefined; yiaddr: string };

export interface FsyncVerdict {
  verdict: string;
  acks: number;
  offers: number;
  naks: number;
  acks_lease_written_before: number;
  acks_lease_synced_before: number;
  lease_writes: number;
  lease_syncs: number;
  io_uring_enter: number;
}

export function fsyncCheck(trace: string, leasePrefix: string): FsyncVerdict {
  const events: Event[] = [];
  const pending = new Map<string, string>();
  const syncOpen = new Set<string>();
  let uring = 0;
  for (const raw of trace.split('\n')) {
    const m = HEAD.exec(raw);
    if (!m) continue;
    const pid = m[1]!;
    const body = m[2]!;
    if (body.startsWith('<...')) {
      const r = /^<\.\.\. (\w+) resumed>/.exec(body);
      if (r && SYNC_CALLS.has(r[1]!)) {
        const path = pending.get(`${pid}/${r[1]}`);
        pending.delete(`${pid}/${r[1]}`);
        if (path !== undefined && OK.test(body)) events.push({ kind: 'sync', path });
      }
      continue;
    }
    const cm = /^(\w+)\(/.exec(body);
    if (!cm) continue;
    const call = cm[1]!;
    if (call === 'io_uring_enter') {
      uring++;
      continue;
    }
    const fm = FDPATH.exec(body);
    const path = fm ? unhex(fm[3]!).toString('latin1') : '';
    if (call === 'openat' || call === 'open' || call === 'creat') {
      const rm = /=\s*\d+<((?:\\x[0-9a-f]{2})*)>/.exec(body);
      if (rm && /O_D?SYNC/.test(body)) syncOpen.add(unhex(rm[1]!).toString('latin1'));
      continue;
    }
    if (SYNC_CALLS.has(call)) {
      if (body.endsWith('<unfinished ...>')) pending.set(`${pid}/${call}`, path);
      else if (OK.test(body)) events.push({ kind: 'sync', path });
      continue;
    }
    const strings = [...body.matchAll(HEXSTR)].map((x) => unhex(x[1]!));
    if (WRITE_CALLS.has(call) && path.startsWith(leasePrefix)) {
      events.push({ kind: 'write', path, text: Buffer.concat(strings).toString('latin1') });
      if (syncOpen.has(path)) events.push({ kind: 'sync', path });
      continue;
    }
    if (SEND_CALLS.has(call)) {
      for (const s of strings) {
        const msg = dhcpMessage(s);
        if (msg !== undefined) {
          events.push({ kind: 'send', type: msg[0], yiaddr: msg[1] });
          break;
        }
      }
    }
  }
  let acks = 0;
  let durable = 0;
  let written = 0;
  let offers = 0;
  let naks = 0;
  const syncs = events.filter((e) => e.kind === 'sync' && e.path.startsWith(leasePrefix)).length;
  const writes = events.filter((e) => e.kind === 'write').length;
  events.forEach((e, idx) => {
    if (e.kind !== 'send') return;
    if (e.type === 2) offers++;
    if (e.type === 6) naks++;
    if (e.type !== 5) return;
    acks++;
    const re = new RegExp(`(?<![0-9.])${e.yiaddr.replaceAll('.', '\\.')}(?![0-9])`);
    let w = -1;
    for (let j = idx - 1; j >= 0; j--) {
      const x = events[j]!;
      if (x.kind === 'write' && re.test(x.text)) {
        w = j;
        break;
      }
    }
    if (w < 0) return;
    written++;
    const wpath = (events[w] as { path: string }).path;
    for (let j = w + 1; j < idx; j++) {
      const x = events[j]!;
      if (x.kind === 'sync' && x.path === wpath) {
        durable++;
        break;
      }
    }
  });
  let verdict: string;
  if (acks === 0) verdict = 'unknown (no ACK seen)';
  else if (uring > 0 && syncs === 0) verdict = 'unknown (io_uring)';
  else if (durable === acks) verdict = 'yes';
  else if (durable === 0) verdict = 'no';
  else verdict = `partial (${durable}/${acks})`;
  return {
    verdict,
    acks,
    offers,
    naks,
    acks_lease_written_before: written,
    acks_lease_synced_before: durable,
    lease_writes: writes,
    lease_syncs: syncs,
    io_uring_enter: uring,
  };
}

export function fsyncCheckFile(path: string, leasePrefix: string): FsyncVerdict {
  return fsyncCheck(readFileSync(path, 'latin1'), leasePrefix);
}
