// The child side of an end-to-end test: a node script that a Lab starts inside a namespace with
// `ip netns exec NS node script.js INPUT_JSON`. It talks back in stdout lines "@@lh {json}".
//
// `node --test dist/test/` runs every .js file under dist/test/ as a test file, child scripts included, so a child
// must do nothing when started any other way: runChild() returns at once unless the Lab's environment variable
// names a namespace, and refuses to run unless this process really is inside that namespace. That is what keeps
// a child's sockets off the root namespace's interfaces.
import { statSync } from 'node:fs';

export const CHILD_NETNS_ENV = 'LEASEHOLD_TEST_NETNS';
const PREFIX = '@@lh ';

export interface ChildEvent {
  event: string;
  data?: unknown;
}

export function emit(event: string, data?: unknown): void {
  process.stdout.write(`${PREFIX}${JSON.stringify({ event, data })}\n`);
}

export function parseEvents(stdout: string): ChildEvent[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(PREFIX))
    .map((line) => JSON.parse(line.slice(PREFIX.length)) as ChildEvent);
}

export function isEventLine(event: string): (line: string) => boolean {
  return (line) => line.startsWith(PREFIX) && (JSON.parse(line.slice(PREFIX.length)) as ChildEvent).event === event;
}

/** Whether this process runs in the named namespace (same inode as the bind mount `ip netns add` made). */
export function inNamespace(name: string): boolean {
  try {
    const self = statSync('/proc/self/ns/net');
    const named = statSync(`/run/netns/${name}`);
    return self.ino === named.ino && self.dev === named.dev;
  } catch {
    return false;
  }
}

/**
 * Runs `main(input)` as a child script: emits {event:'result'} with its return value and exits 0, or emits
 * {event:'error'} and exits 1. A hard deadline ends the process even if `main` hangs on an open socket.
 */
export function runChild<I, O>(main: (input: I) => Promise<O>, deadlineMs = 8000): void {
  const ns = process.env[CHILD_NETNS_ENV];
  if (ns === undefined) return; // not started by a Lab (e.g. picked up by `node --test`): do nothing
  if (!ns.startsWith('lh-') || !inNamespace(ns)) {
    process.stderr.write(`refusing to run: not inside test namespace ${JSON.stringify(ns)}\n`);
    process.exit(2);
  }
  setTimeout(() => {
    emit('error', { message: `child deadline of ${deadlineMs} ms passed` });
    process.exit(124);
  }, deadlineMs).unref();
  const input = JSON.parse(process.argv[2] ?? 'null') as I;
  main(input).then(
    (result) => {
      emit('result', result);
      process.exit(0);
    },
    (err: unknown) => {
      const e = err as { message?: string; code?: string; stack?: string };
      emit('error', { message: e?.message ?? String(err), code: e?.code, stack: e?.stack });
      process.exit(1);
    },
  );
}
