// The TCP shell around OmapiSession: listens on an address and port, runs one session per connection, and
// carries out what the sessions decide. Nothing protocol-specific lives here.
//
// Limits, each of which ends only the connection concerned, with one log line naming the peer and the cause:
// - more than `maxConnections` at once: the newcomer is closed at once ("too-many-connections");
// - a peer that sends no introduction within the session's intro time, or nothing for its idle time ("idle");
// - a malformed or oversized message, an unknown opcode, ... (the session's causes, session.ts);
// - a peer that does not read its answers: more than `maxPendingWriteBytes` waiting to be sent ("slow-reader");
// - a socket error ("socket-error"). A peer that simply hangs up is not logged.
// Nothing here throws into the caller once start() has resolved; start() rejects when the port cannot be bound.

import { randomInt } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { OmapiSession, type SessionOptions, type SessionOutput } from './session.js';

export interface ListenerOptions {
  readonly address: string;
  /** 0 picks a free port (see `port` once started). */
  readonly port: number;
  /** Options every session gets (provider, keys, required key, limits, timeouts). */
  readonly session: Omit<SessionOptions, 'peer' | 'firstTransactionId'>;
  /** Most connections at once (default 1024). */
  readonly maxConnections?: number;
  /** Close a connection whose unsent answers exceed this (default 4 MiB). */
  readonly maxPendingWriteBytes?: number;
  /** How often deadlines are checked, ms (default 500). */
  readonly tickMs?: number;
  /** Where log lines go (default: stderr). */
  readonly log?: (line: string) => void;
  /** Clock in ms (default Date.now). */
  readonly now?: () => number;
}

interface Conn {
  readonly socket: Socket;
  readonly session: OmapiSession;
  readonly peer: string;
  inFlight: number;
  /** The peer has sent its FIN: answer what is in flight, then close. */
  ended: boolean;
  done: boolean;
}

export class OmapiListener {
  private readonly server: Server;
  private readonly conns = new Set<Conn>();
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly maxConnections: number;
  private readonly maxPending: number;
  private timer: NodeJS.Timeout | undefined;
  private boundPort = 0;

  constructor(private readonly opts: ListenerOptions) {
    this.log =
      opts.log ??
      ((line) => {
        process.stderr.write(`${line}\n`);
      });
    this.now = opts.now ?? Date.now;
    this.maxConnections = opts.maxConnections ?? 1024;
    this.maxPending = opts.maxPendingWriteBytes ?? 4 * 1024 * 1024;
    this.server = createServer({ noDelay: true, allowHalfOpen: true }, (socket) => this.accept(socket));
    this.server.on('error', (err) => this.safeLog(`OMAPI listener error: ${err.message}`));
  }

  /** Binds and starts accepting; resolves with the port. */
  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host: this.opts.address, port: this.opts.port, exclusive: true }, () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        this.boundPort = typeof addr === 'object' && addr ? addr.port : this.opts.port;
        this.timer = setInterval(() => this.tick(), this.opts.tickMs ?? 500);
        this.timer.unref();
        resolve(this.boundPort);
      });
    });
  }

  get port(): number {
    return this.boundPort;
  }

  /** Connections open now. */
  get connections(): number {
    return this.conns.size;
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const c of this.conns) this.finish(c);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private safeLog(line: string): void {
    try {
      this.log(line);
    } catch {}
  }

  private accept(socket: Socket): void {
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.on('error', () => {}); // reported through 'close' below
    if (this.conns.size >= this.maxConnections) {
      this.safeLog(`OMAPI connection from ${peer} refused: too-many-connections (${this.conns.size} open)`);
      socket.destroy();
      return;
    }
    const session = new OmapiSession(
      { ...this.opts.session, peer, firstTransactionId: randomInt(1, 0x7fffffff) },
      this.now(),
    );
    const conn: Conn = { socket, session, peer, inFlight: 0, ended: false, done: false };
    this.conns.add(conn);
    socket.on('data', (chunk: Buffer) => this.receive(conn, chunk));
    socket.on('end', () => {
      conn.ended = true;
      if (conn.inFlight === 0) this.hangUp(conn);
    });
    socket.on('close', (hadError) => {
      if (hadError && !conn.done) this.safeLog(`OMAPI connection from ${peer} closed: socket-error`);
      conn.done = true;
      this.conns.delete(conn);
    });
    this.write(conn, session.greeting());
  }

  private receive(conn: Conn, chunk: Buffer): void {
    if (conn.done) return;
    conn.inFlight++;
    if (conn.inFlight > 8) conn.socket.pause();
    conn.session.receive(chunk, this.now()).then(
      (out) => {
        conn.inFlight--;
        if (conn.inFlight <= 2 && !conn.done) conn.socket.resume();
        this.carryOut(conn, out);
        if (conn.ended && conn.inFlight === 0) this.hangUp(conn);
      },
      (err: unknown) => this.closeFor(conn, { cause: 'internal-error', detail: String(err) }),
    );
  }

  private carryOut(conn: Conn, out: SessionOutput): void {
    if (conn.done) return;
    for (const b of out.send) this.write(conn, b);
    if (out.close) this.closeFor(conn, out.close);
  }

  private write(conn: Conn, bytes: Uint8Array): void {
    if (conn.done) return;
    try {
      conn.socket.write(bytes);
    } catch {
      this.finish(conn);
      return;
    }
    if (conn.socket.writableLength > this.maxPending) {
      this.closeFor(conn, { cause: 'slow-reader', detail: `${conn.socket.writableLength} bytes unsent` });
    }
  }

  private closeFor(conn: Conn, why: { cause: string; detail: string }): void {
    if (conn.done) return;
    this.safeLog(`OMAPI connection from ${conn.peer} closed: ${why.cause} (${why.detail})`);
    conn.done = true;
    // Answers already queued (a final status) go out before the FIN; a peer that does not read is cut off.
    conn.socket.end();
    const t = setTimeout(() => conn.socket.destroy(), 2000);
    t.unref();
    this.conns.delete(conn);
  }

  /** The peer hung up and every answer has been handed to the socket: close our side too. */
  private hangUp(conn: Conn): void {
    if (conn.done) return;
    conn.done = true;
    conn.socket.end();
    const t = setTimeout(() => conn.socket.destroy(), 2000);
    t.unref();
    this.conns.delete(conn);
  }

  private finish(conn: Conn): void {
    if (conn.done) return;
    conn.done = true;
    conn.socket.destroy();
    this.conns.delete(conn);
  }

  private tick(): void {
    const now = this.now();
    for (const c of this.conns) {
      try {
        this.carryOut(c, c.session.tick(now));
      } catch (err) {
        this.closeFor(c, { cause: 'internal-error', detail: String(err) });
      }
    }
  }
}

/** Creates and starts a listener; rejects when the address cannot be bound. */
export async function startOmapiListener(opts: ListenerOptions): Promise<OmapiListener> {
  const l = new OmapiListener(opts);
  await l.start();
  return l;
}
