// Drives one interface's ClientMachine: feeds it events one at a time and carries out its actions in order
// through injected I/O. The I/O (sockets, scripts, ARP, lease file) and the timers are injected so that the
// unit tests run the real driver against a fake network and a fake clock, without sleeping.
//
// Why events are serialized: ISC runs dhclient-script synchronously, so nothing happens on an interface while
// its script runs (PREINIT must have brought the link up before the first DISCOVER leaves; EXPIRE must have
// removed the address before PREINIT). Here every event waits for the previous event's actions, scripts
// included; messages and timers that arrive meanwhile are queued.
import type { ClientAction, ClientEvent } from './events.js';
import type { ClientLease } from './lease.js';
import type { ClientMachine } from './machine.js';
import type { ScriptReason } from './script-env.js';

export type SendAction = Extract<ClientAction, { kind: 'send' }>;

export interface DriverIo {
  /** Sends a message: from 0.0.0.0 (broadcast, or `-s SERVER`) or from the leased address (unicast). */
  send(a: SendAction): Promise<void>;
  /** Runs dhclient-script with this environment; resolves with its exit status (negative: a signal). */
  runScript(reason: ScriptReason, env: Record<string, string>): Promise<number>;
  /** ARP-probes the address; resolves true when another host holds it. */
  probe(address: number): Promise<boolean>;
  /** Appends the lease to the lease file. */
  writeLease(lease: ClientLease): Promise<void>;
  log(level: 'info' | 'error', message: string): void;
}

export interface TimerHost {
  /** Calls `fn` at `at` (milliseconds, the machine's clock). */
  set(at: number, fn: () => void): unknown;
  clear(handle: unknown): void;
}

/** How an interface's client ended: `stopped` (released, stopped) or `exit` (-1 without a lease). */
export interface DriverEnd {
  kind: 'stopped' | 'exit' | 'shutdown';
  code: number;
}

interface Queued {
  ev: ClientEvent;
  /** For timer events: the timer generation that fired (stale ones are dropped). */
  gen?: number;
}

export class InterfaceDriver {
  private readonly queue: Queued[] = [];
  private running = false;
  private timer: unknown;
  private timerGen = 0;
  private ended = false;
  private resolveEnd!: (e: DriverEnd) => void;
  /** Settles when the machine stops, exits, or the driver is shut down. */
  readonly done: Promise<DriverEnd>;
  /** Settles whenever the queue has been drained (tests wait on it). */
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly machine: ClientMachine,
    private readonly io: DriverIo,
    private readonly timers: TimerHost,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveEnd = resolve;
    });
  }

  get finished(): boolean {
    return this.ended;
  }

  /** Queues an event for the machine. */
  post(ev: ClientEvent): void {
    if (this.ended) return;
    this.queue.push({ ev });
    void this.pump();
  }

  /** Stops without telling the machine (SIGTERM: the lease stays configured, as with ISC dhclient). */
  shutdown(): void {
    this.finish({ kind: 'shutdown', code: 0 });
  }

  /** Resolves once no event is queued or being handled. */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private finish(end: DriverEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.clearTimer();
    this.queue.length = 0;
    this.resolveEnd(end);
  }

  private clearTimer(): void {
    this.timerGen++;
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let q = this.queue.shift(); q !== undefined && !this.ended; q = this.queue.shift()) {
        if (q.gen !== undefined && q.gen !== this.timerGen) continue; // replaced or cancelled since it fired
        await this.step(q.ev);
      }
    } catch (err) {
      this.io.log('error', `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      this.finish({ kind: 'exit', code: 1 });
    } finally {
      this.running = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Handles one event, then the events its own actions answer (script-exit, probe-result). */
  private async step(first: ClientEvent): Promise<void> {
    let next: ClientEvent | undefined = first;
    while (next !== undefined && !this.ended) {
      const actions = this.machine.handle(next);
      next = undefined;
      for (const a of actions) {
        if (this.ended) return;
        const answer = await this.carry(a);
        if (answer !== undefined) next = answer;
      }
    }
  }

  private async carry(a: ClientAction): Promise<ClientEvent | undefined> {
    switch (a.kind) {
      case 'send':
        try {
          await this.io.send(a);
        } catch (err) {
          // A lost send is a lost packet: the retransmission timer already covers it.
          this.io.log('error', `send failed: ${err instanceof Error ? err.message : String(err)}`);
        }
        return undefined;
      case 'timer': {
        this.clearTimer();
        const gen = this.timerGen;
        this.timer = this.timers.set(a.at, () => {
          if (gen !== this.timerGen || this.ended) return;
          this.timer = undefined;
          this.queue.push({ ev: { kind: 'timer' }, gen });
          void this.pump();
        });
        return undefined;
      }
      case 'cancel-timer':
        this.clearTimer();
        return undefined;
      case 'script': {
        const status = await this.io.runScript(a.reason, a.env);
        return a.wait ? { kind: 'script-exit', status } : undefined;
      }
      case 'probe': {
        let inUse = false;
        try {
          inUse = await this.io.probe(a.address);
        } catch (err) {
          this.io.log('error', `address probe failed, going on: ${err instanceof Error ? err.message : String(err)}`);
        }
        return { kind: 'probe-result', address: a.address, inUse };
      }
      case 'write-lease':
        try {
          await this.io.writeLease(a.lease);
        } catch (err) {
          this.io.log('error', `cannot write the lease file: ${err instanceof Error ? err.message : String(err)}`);
        }
        return undefined;
      case 'log':
        this.io.log(a.level, a.message);
        return undefined;
      case 'stopped':
        this.finish({ kind: 'stopped', code: 0 });
        return undefined;
      case 'exit':
        this.finish({ kind: 'exit', code: a.code });
        return undefined;
    }
  }
}
