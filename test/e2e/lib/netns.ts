// The namespace toolkit every end-to-end test uses. A test gets a Lab, makes namespaces (`lh-<pid>-<hex>-<n>`)
// and veth pairs between them, runs its peers inside with `ip netns exec`, and the Lab deletes all of it when the
// test ends, pass or fail. The test runner itself stays in the root namespace and only runs `ip` commands.
//
// Safety rules enforced here: addresses only from the documentation ranges; veth pairs are created directly inside
// their namespaces (never in the root namespace); every process is time-bounded and stopped by PID.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { BlockList, isIPv4 } from 'node:net';
import type { TestContext } from 'node:test';
import { CHILD_NETNS_ENV, type ChildEvent, parseEvents } from './child.js';
import { type RunResult, runBounded, type Spawned, spawnBounded } from './proc.js';
import { processAlive } from './wait.js';

export const NETNS_PREFIX = 'lh-';
const RUN_ID = `${process.pid}-${randomBytes(2).toString('hex')}`;
const OURS = /^lh-(\d+)-[0-9a-f]{4}-\d+$/;
const IP_TIMEOUT_MS = 10_000;

const TEST_RANGES = new BlockList();
TEST_RANGES.addSubnet('192.0.2.0', 24);
TEST_RANGES.addSubnet('198.51.100.0', 24);
TEST_RANGES.addSubnet('203.0.113.0', 24);

/** Throws unless `addr` ("a.b.c.d" or "a.b.c.d/len") lies in 192.0.2.0/24, 198.51.100.0/24 or 203.0.113.0/24. */
export function assertTestAddress(addr: string): void {
  const [ip, len] = addr.split('/');
  const prefix = len === undefined ? 32 : Number(len);
  if (!ip || !isIPv4(ip) || !TEST_RANGES.check(ip) || !(prefix >= 24 && prefix <= 32)) {
    throw new Error(`address ${addr} is outside the documentation ranges tests may use`);
  }
}

// ---- process-wide registry: what this process created, removed at exit even if a test never got to clean up.
const liveNamespaces = new Set<string>();
const liveChildren = new Set<Spawned>();
let exitHookInstalled = false;

function cleanupSync(): void {
  for (const c of liveChildren) {
    try {
      if (c.pid > 0) process.kill(c.pid, 'SIGKILL');
    } catch {}
  }
  for (const ns of liveNamespaces) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: IP_TIMEOUT_MS });
  liveChildren.clear();
  liveNamespaces.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', cleanupSync);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      cleanupSync();
      process.kill(process.pid, sig); // the handler is gone now: die of the signal as we would have
    });
  }
}

function listNamespaces(): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: IP_TIMEOUT_MS });
  return (r.stdout ?? '')
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

/**
 * Leak guard: deletes `lh-<pid>-…` namespaces made by this process ('this-run') or, with 'dead-owners', also those
 * whose creating process no longer exists (a crashed or SIGKILLed earlier run). Namespaces of live runs and names
 * not in our format are never touched. Returns the names it deleted.
 */
export function sweepLeakedNamespaces(scope: 'this-run' | 'dead-owners' = 'this-run'): string[] {
  const removed: string[] = [];
  for (const name of listNamespaces()) {
    const m = OURS.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    const mine = pid === process.pid;
    if (mine || (scope === 'dead-owners' && !processAlive(pid))) {
      spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore', timeout: IP_TIMEOUT_MS });
      liveNamespaces.delete(name);
      removed.push(name);
    }
  }
  return removed;
}

let counter = 0;
function newName(): string {
  counter++;
  return `${NETNS_PREFIX}${RUN_ID}-${counter}`;
}

let unavailable: string | null | undefined;

/** Why namespace tests cannot run here, or undefined when they can (checked once per process). */
export function netnsUnavailableReason(): string | undefined {
  if (unavailable === undefined) {
    unavailable = null;
    if (process.platform !== 'linux') unavailable = 'network namespaces need Linux';
    else if (process.getuid?.() !== 0) unavailable = 'needs root (network namespaces, raw sockets)';
    else if (spawnSync('ip', ['-V'], { stdio: 'ignore', timeout: IP_TIMEOUT_MS }).status !== 0) {
      unavailable = 'iproute2 (ip) not found';
    } else {
      const probe = newName();
      const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8', timeout: IP_TIMEOUT_MS });
      spawnSync('ip', ['netns', 'del', probe], { stdio: 'ignore', timeout: IP_TIMEOUT_MS });
      if (r.status !== 0) unavailable = `cannot create network namespaces: ${(r.stderr ?? '').trim()}`;
    }
  }
  return unavailable ?? undefined;
}

/** Skips the test (and returns false) unless it can run as root with iproute2 and namespaces. */
export function requireRoot(t: TestContext): boolean {
  const reason = netnsUnavailableReason();
  if (reason) t.skip(reason);
  return reason === undefined;
}

export interface Netns {
  readonly name: string;
}

export interface VethEnd {
  readonly ns: Netns;
  readonly ifname: string;
  readonly mac: string;
  /** CIDR, when one was assigned. */
  readonly address?: string;
}

export interface VethOptions {
  aIf?: string;
  bIf?: string;
  /** CIDR such as "192.0.2.1/24"; omit for an interface without an address (a DHCP client before its lease). */
  aAddr?: string;
  bAddr?: string;
  aMac?: string;
  bMac?: string;
}

export interface RunOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  stdin?: string;
}

/** A node child's outcome: its result event (when it succeeded), all events, and the raw run. */
export interface NodeChildOutcome<O> {
  result: O;
  events: ChildEvent[];
  run: RunResult;
}

function checkIfname(name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name)) throw new Error(`bad interface name ${JSON.stringify(name)}`);
  return name;
}

function describe(run: RunResult): string {
  const why = run.timedOut ? 'timed out' : `exit ${run.code ?? run.signal}`;
  return `${why}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

/** `ip netns add` calls of this process, one after the other (see Lab.netns). */
let namespaceAdds: Promise<unknown> = Promise.resolve();

export class Lab {
  private readonly namespaces: Netns[] = [];
  private readonly children = new Set<Spawned>();
  private cleaned = false;

  /** Runs `ip -n NS …` or `ip netns add|del NS` for a namespace of this lab; throws on failure. Anything else
   * would act on the root namespace, so it is refused. */
  async ip(args: readonly string[]): Promise<string> {
    const owned = (name: string | undefined) => this.namespaces.some((ns) => ns.name === name);
    const scoped =
      (args[0] === '-n' && owned(args[1])) ||
      (args[0] === 'netns' && (args[1] === 'add' || args[1] === 'del') && owned(args[2]) && args.length === 3);
    if (!scoped) throw new Error(`refusing "ip ${args.join(' ')}": not scoped to a namespace of this lab`);
    const run = await runBounded('ip', args, { timeoutMs: IP_TIMEOUT_MS });
    if (run.code !== 0) throw new Error(`ip ${args.join(' ')}: ${describe(run)}`);
    return run.stdout;
  }

  async netns(): Promise<Netns> {
    if (this.cleaned) throw new Error('lab already cleaned up');
    installExitHook();
    const ns = { name: newName() };
    liveNamespaces.add(ns.name); // registered before creation, so a half-made namespace is still removed
    this.namespaces.push(ns);
    // iproute2 fails now and then ("Cannot open network namespace") when one process adds two at once: one at a time.
    const add = namespaceAdds.then(() => this.ip(['netns', 'add', ns.name]));
    namespaceAdds = add.catch(() => undefined);
    await add;
    await this.ip(['-n', ns.name, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /** A veth pair from `a` to `b`, both ends up. Created inside `a` with its peer placed straight into `b`. */
  async veth(a: Netns, b: Netns, opts: VethOptions = {}): Promise<[VethEnd, VethEnd]> {
    const aIf = checkIfname(opts.aIf ?? 'veth0');
    const bIf = checkIfname(opts.bIf ?? 'veth1');
    for (const addr of [opts.aAddr, opts.bAddr]) if (addr) assertTestAddress(addr);
    await this.ip(['-n', a.name, 'link', 'add', aIf, 'type', 'veth', 'peer', 'name', bIf, 'netns', b.name]);
    const ends: VethEnd[] = [];
    for (const [ns, ifname, addr, mac] of [
      [a, aIf, opts.aAddr, opts.aMac],
      [b, bIf, opts.bAddr, opts.bMac],
    ] as const) {
      if (mac) await this.ip(['-n', ns.name, 'link', 'set', ifname, 'address', mac]);
      if (addr) await this.ip(['-n', ns.name, 'addr', 'add', addr, 'dev', ifname]);
      await this.ip(['-n', ns.name, 'link', 'set', ifname, 'up']);
      ends.push({ ns, ifname, mac: await this.macOf(ns, ifname), ...(addr ? { address: addr } : {}) });
    }
    return ends as [VethEnd, VethEnd];
  }

  async addAddress(ns: Netns, ifname: string, cidr: string): Promise<void> {
    assertTestAddress(cidr);
    await this.ip(['-n', ns.name, 'addr', 'add', cidr, 'dev', checkIfname(ifname)]);
  }

  async macOf(ns: Netns, ifname: string): Promise<string> {
    const out = await this.ip(['-n', ns.name, '-j', 'link', 'show', 'dev', checkIfname(ifname)]);
    const [link] = JSON.parse(out) as { address?: string }[];
    if (!link?.address) throw new Error(`no MAC for ${ifname} in ${ns.name}`);
    return link.address;
  }

  /** Sets a net.* sysctl of the namespace (values are per namespace). */
  async sysctl(ns: Netns, key: string, value: string): Promise<void> {
    if (!/^net\.[A-Za-z0-9_.-]+$/.test(key)) throw new Error(`only net.* sysctls are per namespace: ${key}`);
    const run = await this.run(ns, 'sysctl', ['-qw', `${key}=${value}`]);
    if (run.code !== 0) throw new Error(`sysctl ${key}: ${describe(run)}`);
  }

  /** Starts `cmd` inside `ns`; it is killed (by PID) at cleanup if still running, and after `timeoutMs` anyway. */
  spawn(ns: Netns, cmd: string, args: readonly string[], opts: RunOptions = {}): Spawned {
    this.checkOwned(ns);
    const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env), [CHILD_NETNS_ENV]: ns.name };
    delete env.NODE_TEST_CONTEXT; // the child is not a test file of this runner
    const child = spawnBounded('ip', ['netns', 'exec', ns.name, cmd, ...args], {
      timeoutMs: opts.timeoutMs ?? 30_000,
      env,
      ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
    });
    this.children.add(child);
    liveChildren.add(child);
    void child.exited.then(() => {
      this.children.delete(child);
      liveChildren.delete(child);
    });
    return child;
  }

  /** Runs `cmd` inside `ns` to completion (default limit 10 s). */
  run(ns: Netns, cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return this.spawn(ns, cmd, args, { timeoutMs: 10_000, ...opts }).exited;
  }

  /** Starts a node script (a compiled runChild() script) inside `ns` with `input` as its JSON argument. */
  spawnNode(ns: Netns, script: string, input: unknown, opts: RunOptions = {}): Spawned {
    return this.spawn(ns, process.execPath, [script, JSON.stringify(input)], opts);
  }

  /** Runs a runChild() script to completion and returns its result; throws with its output if it failed. */
  async runNode<O>(ns: Netns, script: string, input: unknown, opts: RunOptions = {}): Promise<NodeChildOutcome<O>> {
    return nodeOutcome<O>(await this.spawnNode(ns, script, input, { timeoutMs: 10_000, ...opts }).exited);
  }

  /** Stops every process and deletes every namespace this Lab made. Idempotent; never throws. */
  async cleanup(): Promise<void> {
    this.cleaned = true;
    await Promise.all([...this.children].map((c) => c.stop(1000)));
    for (const ns of this.namespaces.splice(0)) {
      await runBounded('ip', ['netns', 'del', ns.name], { timeoutMs: IP_TIMEOUT_MS });
      liveNamespaces.delete(ns.name);
    }
  }

  private checkOwned(ns: Netns): void {
    if (!this.namespaces.includes(ns)) throw new Error(`namespace ${ns.name} does not belong to this lab`);
  }
}

export function nodeOutcome<O>(run: RunResult): NodeChildOutcome<O> {
  const events = parseEvents(run.stdout);
  const result = events.find((e) => e.event === 'result');
  if (run.code !== 0 || !result) throw new Error(`child failed: ${describe(run)}`);
  return { result: result.data as O, events, run };
}

/** A Lab whose cleanup runs when the test ends, however it ends. Also removes namespaces of dead earlier runs. */
export function createLab(t: TestContext): Lab {
  sweepLeakedNamespaces('dead-owners');
  const lab = new Lab();
  t.after(() => lab.cleanup());
  return lab;
}
