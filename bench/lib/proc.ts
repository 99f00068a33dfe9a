// Process figures from /proc: CPU time and resident memory of a server and everything it
// started (threads are inside the process; child processes are walked by parent PID).

import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = 100; // USER_HZ: 100 on every Linux ABI Node runs on

interface Stat {
  ppid: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

function stat(pid: number): Stat | undefined {
  let s: string;
  try {
    s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name; rest[0] is field 3 (state), field N is rest[N - 3].
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
  const f = (n: number) => Number(rest[n - 3]);
  return { ppid: f(4), utime: f(14), stime: f(15), cutime: f(16), cstime: f(17) };
}

/** PID and all its live descendants. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = stat(Number(d));
    if (st === undefined) continue;
    const list = children.get(st.ppid) ?? [];
    list.push(Number(d));
    children.set(st.ppid, list);
  }
  const out = [pid];
  for (let k = 0; k < out.length && k < 10_000; k++) out.push(...(children.get(out[k]!) ?? []));
  return out;
}

/** [user, system] CPU seconds of PID, its live descendants and its reaped children. */
export function cpuSeconds(pid: number): [number, number] {
  const root = stat(pid);
  if (root === undefined) return [0, 0];
  let user = root.utime + root.cutime;
  let sys = root.stime + root.cstime;
  for (const p of processTree(pid).slice(1)) {
    const st = stat(p);
    if (st === undefined) continue;
    user += st.utime;
    sys += st.stime;
  }
  return [user / CLK_TCK, sys / CLK_TCK];
}

function statusKb(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** [current, peak] resident KiB (VmRSS, VmHWM) summed over PID and its live descendants. */
export function residentKb(pid: number): [number, number] {
  let rss = 0;
  let hwm = 0;
  for (const p of processTree(pid)) {
    rss += statusKb(p, 'VmRSS');
    hwm += statusKb(p, 'VmHWM');
  }
  return [rss, hwm];
}
