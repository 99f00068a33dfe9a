// The PID file, as dhcpd writes it: the decimal PID and a newline, written once the server is ready
// (scripts wait for it), removed on a clean exit. Written through a temporary file and a rename so
// that a reader never sees it half-written.

import * as nodeFs from 'node:fs/promises';

export interface PidFs {
  writeFile(path: string, data: string, options: { mode: number }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  readFile(path: string, encoding: 'utf8'): Promise<string>;
}

const realFs = nodeFs as unknown as PidFs;

export async function writePidFile(path: string, pid: number, fs: PidFs = realFs): Promise<void> {
  const tmp = `${path}.${pid}.tmp`;
  await fs.writeFile(tmp, `${pid}\n`, { mode: 0o644 });
  try {
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** Removes the PID file only if it still names `pid` (a newer server may have taken it over). */
export async function removePidFile(path: string, pid: number, fs: PidFs = realFs): Promise<void> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch {
    return;
  }
  if (Number.parseInt(text.trim(), 10) !== pid) return;
  await fs.unlink(path).catch(() => undefined);
}

/**
 * The PID of a server still running according to the PID file (ISC dhcpd: "There's already a DHCP
 * server running."), or undefined when there is no file, it names no live process, or it names us.
 * Two servers on one lease file would each overwrite the other's leases, so this is checked before
 * the lease file is touched.
 */
export async function runningPid(
  path: string,
  self: number,
  fs: PidFs = realFs,
  alive: (pid: number) => boolean = processAlive,
): Promise<number | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0 || pid === self) return undefined;
  return alive(pid) ? pid : undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
