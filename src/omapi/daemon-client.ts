// `OmapiClient`: the socket shell around client.ts's pure ClientProtocol — connect, wait for the
// introduction, open the authenticator when a key is given, and one call per operation that resolves with
// the server's answer.

import { connect as netConnect, type Socket } from 'node:net';
import { fullAlgorithmName, type OmapiKey } from './auth.js';
import { type Answer, ClientProtocol, OmapiConnectError, type OpenFlags } from './client.js';
import { ISC_R } from './results.js';
import { type NameValue, OMAPI_DEFAULT_PORT } from './wire.js';
export interface ConnectOptions {
  readonly host?: string;
  readonly port?: number;
  /** Sign every message with this key (an authenticator is opened first). */
  readonly key?: OmapiKey;
  /** How long connect, the introduction and each answer may take (default 30 s). */
  readonly timeoutMs?: number;
  readonly firstId?: number;
}

/** A connected OMAPI client: one request at a time or many in flight, answers matched by rid. */
export class OmapiClient {
  private readonly pending = new Map<number, { ok: (a: Answer) => void; ko: (e: Error) => void }>();
  private failure: Error | undefined;
  private introWaiter: { ok: () => void; ko: (e: Error) => void } | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly protocol: ClientProtocol,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new OmapiConnectError(ISC_R.IOERROR, 'connection closed')));
  }

  /** Connects, exchanges introductions and, with a key, opens the authenticator. */
  static async connect(opts: ConnectOptions = {}): Promise<OmapiClient> {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const socket = netConnect({ host: opts.host ?? '127.0.0.1', port: opts.port ?? OMAPI_DEFAULT_PORT, noDelay: true });
    await withTimeout(
      new Promise<void>((ok, ko) => {
        socket.once('connect', ok);
        socket.once('error', ko);
      }),
      timeoutMs,
      'connect',
      () => socket.destroy(),
    ).catch((e: NodeJS.ErrnoException) => {
      throw new OmapiConnectError(ISC_R.IOERROR, connectWords(e));
    });
    const client = new OmapiClient(socket, new ClientProtocol(opts.firstId), timeoutMs);
    try {
      const introduced = new Promise<void>((ok, ko) => {
        client.introWaiter = { ok, ko };
      });
      socket.write(client.protocol.intro());
      await withTimeout(introduced, timeoutMs, 'the introduction');
      if (opts.key) {
        const { id, bytes } = client.protocol.buildAuthenticator(opts.key, fullAlgorithmName(opts.key.algorithm));
        const answer = await client.exchange(id, bytes);
        client.protocol.acceptAuthenticator(opts.key, answer);
        if (answer.kind === 'status') throw new OmapiConnectError(answer.result);
      }
    } catch (e) {
      client.close();
      throw e instanceof OmapiConnectError ? e : new OmapiConnectError(ISC_R.IOERROR, String(e));
    }
    return client;
  }

  private onData(chunk: Buffer): void {
    for (const ev of this.protocol.receive(chunk)) {
      if (ev.kind === 'introduced') {
        this.introWaiter?.ok();
        this.introWaiter = undefined;
      } else if (ev.kind === 'error') {
        this.fail(new OmapiConnectError(ISC_R.UNEXPECTED, ev.detail));
        this.socket.destroy();
        return;
      } else {
        const p = this.pending.get(ev.rid);
        if (!p && ev.rid === 0 && ev.answer.kind === 'status' && this.pending.size === 1) {
          // ISC answers some failures (a bad signature) with rid 0: that answers the only request in flight.
          const [only] = this.pending.values();
          this.pending.clear();
          only!.ok(ev.answer);
          continue;
        }
        if (!p) continue;
        this.pending.delete(ev.rid);
        p.ok(ev.answer);
      }
    }
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.introWaiter?.ko(e);
    this.introWaiter = undefined;
    for (const p of this.pending.values()) p.ko(e);
    this.pending.clear();
  }

  /** Sends a built message and waits for its answer. */
  exchange(id: number, bytes: Uint8Array): Promise<Answer> {
    if (this.failure) return Promise.reject(this.failure);
    const answer = new Promise<Answer>((ok, ko) => this.pending.set(id, { ok, ko }));
    this.socket.write(bytes);
    return withTimeout(answer, this.timeoutMs, `the answer to message ${id}`, () => this.pending.delete(id));
  }

  open(type: string | undefined, values: readonly NameValue[], flags: OpenFlags = {}): Promise<Answer> {
    const { id, bytes } = this.protocol.buildOpen(type, values, flags);
    return this.exchange(id, bytes);
  }

  /** open with create and exclusive, as omshell's `create`. */
  create(type: string, values: readonly NameValue[]): Promise<Answer> {
    return this.open(type, values, { create: true, exclusive: true });
  }

  update(handle: number, values: readonly NameValue[]): Promise<Answer> {
    const { id, bytes } = this.protocol.buildUpdate(handle, values);
    return this.exchange(id, bytes);
  }

  refresh(handle: number): Promise<Answer> {
    const { id, bytes } = this.protocol.buildRefresh(handle);
    return this.exchange(id, bytes);
  }

  remove(handle: number): Promise<Answer> {
    const { id, bytes } = this.protocol.buildRemove(handle);
    return this.exchange(id, bytes);
  }

  /** Whether the connection has failed or been closed. */
  get closed(): boolean {
    return this.failure !== undefined;
  }

  close(): void {
    this.fail(new OmapiConnectError(ISC_R.IOERROR, 'connection closed'));
    this.socket.destroy();
  }
}

function connectWords(e: NodeJS.ErrnoException): string {
  if (e.code === 'ECONNREFUSED') return 'connection refused';
  if (e.code === 'EHOSTUNREACH') return 'host unreachable';
  if (e.code === 'ENETUNREACH') return 'network unreachable';
  if (e.code === 'ETIMEDOUT') return 'timed out';
  if (e.code === 'ENOTFOUND') return 'host unknown';
  return e.message;
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, ko) => {
    timer = setTimeout(() => {
      onTimeout?.();
      ko(new OmapiConnectError(ISC_R.FAILURE, `timed out waiting for ${what}`));
    }, ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}
