// The I/O shell of one failover relationship: the TCP listener and the connection to the peer, the
// framing of the byte streams, one timer, and the effects the pure Relationship returns, carried out
// strictly in order (a state is persisted before the STATE message that announces it leaves; a BNDACK
// leaves only once the lease change it acknowledges is durable).
//
// As ISC's listener, a connection from any address but the peer's is closed at once ("failover:
// listener: no matching state"). A listener that cannot bind is retried every 90 s (ISC's
// dhcp_failover_listener_restart); a malformed message closes its connection with one log line.

import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import type { Effect, PersistedState, Relationship } from './relationship.js';
import { encodeMessage, type FailoverMessage, FailoverWireError, MessageFramer, messageName } from './wire.js';

export interface FailoverLinkOptions {
  relationship: Relationship;
  /** Where we listen (`address`, `port` of the peer declaration); no address: every address. */
  listen: { address?: string; port: number };
  /** The partner (`peer address`, `peer port`). */
  peer: { address: string; port: number };
  /** Milliseconds since the epoch. */
  clock: () => number;
  log: (level: 'info' | 'error', text: string) => void;
  /** Writes the relationship's `failover peer "NAME" state` record and resolves once it is durable. */
  persist: (record: PersistedState) => Promise<void>;
  /** Resolves once every lease change written so far is durable. */
  durable: () => Promise<void>;
  /** Called after each batch of effects (the server re-reads the service state). */
  changed?: () => void;
}

const LISTENER_RETRY_MS = 90_000;

export class FailoverLink {
  private readonly o: FailoverLinkOptions;
  private readonly rel: Relationship;
  private server: Server | undefined;
  private readonly sockets = new Map<number, Socket>();
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;
  private listenRetry: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(opts: FailoverLinkOptions) {
    this.o = opts;
    this.rel = opts.relationship;
  }

  private now(): number {
    return this.o.clock() / 1000;
  }

  /** Listens, enters STARTUP and connects to the peer. */
  async start(): Promise<void> {
    await this.listen();
    this.apply(this.rel.start(this.now()));
  }

  /** A lease of a failover pool changed: queue its binding update. */
  queueUpdate(address: number): void {
    if (this.stopped) return;
    this.apply(this.rel.queueUpdate(address, this.now()));
  }

  /** OMAPI's local-state. */
  setLocalState(state: number): void {
    if (this.stopped) return;
    this.apply(this.rel.setLocalState(state, this.now()));
  }

  /** Closes the listener and every link; waits for effects already under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.listenRetry !== undefined) clearTimeout(this.listenRetry);
    for (const s of this.sockets.values()) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
    await this.chain.catch(() => undefined);
  }

  /** Resolves once every effect handed out so far has been carried out (tests). */
  settled(): Promise<void> {
    return this.chain;
  }

  private listen(): Promise<void> {
    return new Promise((resolve) => {
      const server = createServer((socket) => this.accepted(socket));
      server.on('error', (err) => {
        this.o.log(
          'error',
          `failover peer ${this.rel.name}: cannot listen on port ${this.o.listen.port}: ${err.message}`,
        );
        server.close();
        if (!this.stopped) this.listenRetry = setTimeout(() => void this.listen(), LISTENER_RETRY_MS);
        resolve();
      });
      server.listen({ host: this.o.listen.address, port: this.o.listen.port }, () => {
        this.server = server;
        resolve();
      });
    });
  }

  private accepted(socket: Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const from = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    if (from !== this.o.peer.address) {
      this.o.log('info', 'failover: listener: no matching state');
      socket.destroy();
      return;
    }
    this.attach(socket, false);
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = tcpConnect({
      host: this.o.peer.address,
      port: this.o.peer.port,
      ...(this.o.listen.address !== undefined ? { localAddress: this.o.listen.address } : {}),
    });
    let up = false;
    socket.once('connect', () => {
      up = true;
      this.attach(socket, true);
    });
    socket.once('error', (err) => {
      if (up) return;
      this.o.log('info', `failover peer ${this.rel.name}: ${err.message}`);
      socket.destroy();
      this.apply(this.rel.linkClosed(undefined, this.now()));
    });
  }

  private attach(socket: Socket, outgoing: boolean): void {
    const id = this.nextId++;
    this.sockets.set(id, socket);
    socket.setNoDelay(true);
    const framer = new MessageFramer();
    socket.on('data', (chunk: Buffer) => {
      let messages: FailoverMessage[];
      try {
        messages = framer.push(chunk);
      } catch (e) {
        if (!(e instanceof FailoverWireError)) throw e;
        for (const m of e.decoded ?? []) this.apply(this.rel.receive(id, m, this.now()));
        this.o.log('error', `failover peer ${this.rel.name}: bad message from peer: ${e.message}`);
        socket.destroy();
        return;
      }
      for (const m of messages) this.apply(this.rel.receive(id, m, this.now()));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.sockets.get(id) !== socket) return;
      this.sockets.delete(id);
      if (!this.stopped) this.apply(this.rel.linkClosed(id, this.now()));
    });
    this.apply(this.rel.linkOpened(id, outgoing, this.now()));
  }

  /** Carries out effects in order, then re-arms the timer. */
  private apply(effects: Effect[]): void {
    for (const e of effects) {
      switch (e.kind) {
        case 'log':
          this.o.log(e.level, e.text);
          break;
        case 'connect':
          this.connect();
          break;
        case 'close':
          this.after(() => this.sockets.get(e.link)?.destroy());
          break;
        case 'send': {
          const bytes = this.encode(e.msg);
          if (bytes !== undefined) this.after(() => this.write(e.link, bytes));
          break;
        }
        case 'send-after-commit': {
          const bytes = this.encode(e.msg);
          if (bytes === undefined) break;
          this.chain = this.chain
            .then(() => this.o.durable())
            .then(
              () => this.write(e.link, bytes),
              (err: unknown) =>
                this.o.log('error', `failover peer ${this.rel.name}: not acknowledged, lease file: ${String(err)}`),
            );
          break;
        }
        case 'persist': {
          const record = this.rel.stateRecord();
          this.chain = this.chain
            .then(() => this.o.persist(record))
            .catch((err: unknown) =>
              this.o.log('error', `Unable to record current failover state for ${this.rel.name}: ${String(err)}`),
            );
          break;
        }
      }
    }
    this.o.changed?.();
    this.arm();
  }

  /** A message the codec refuses is a bug here, not the peer's: it is logged and not sent, the server goes on. */
  private encode(msg: FailoverMessage): Uint8Array | undefined {
    try {
      return encodeMessage(msg);
    } catch (e) {
      this.o.log('error', `failover peer ${this.rel.name}: ${messageName(msg.type)} not sent: ${(e as Error).message}`);
      return undefined;
    }
  }

  private after(fn: () => void): void {
    this.chain = this.chain.then(fn, fn);
  }

  private write(id: number, bytes: Uint8Array): void {
    const socket = this.sockets.get(id);
    if (socket === undefined || socket.destroyed) return;
    socket.write(bytes);
  }

  private arm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    const at = this.rel.nextDeadline();
    if (at === undefined) return;
    const ms = Math.max(0, Math.ceil(at * 1000 - this.o.clock()));
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.apply(this.rel.tick(this.now()));
      },
      Math.min(ms, 2 ** 31 - 1),
    );
  }
}
