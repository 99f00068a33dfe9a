// The client side of OMAPI, as ISC's dhcpctl library speaks it (dhcpctl/dhcpctl.c, remote.c, omapip/protocol.c):
//
// - `ClientProtocol` is the protocol state, pure (no sockets, no clocks): the introduction, transaction ids, the
//   authenticator (once the server has given it a handle every message is signed with it, and signed answers are
//   checked), and the decoding of answers. Bytes go in through `receive`, bytes to send come out of `build*`.
// - `OmapiClient` is the thin socket shell around it: connect, wait for the introduction, open the authenticator
//   when a key is given, and one call per operation that resolves with the server's answer.
//
// What dhcpctl sends: open = op 1, message values create / exclusive (as 4-byte booleans) and type, the object's
// changed values; update = op 3 with the object's handle and its changed values; refresh = op 2, delete = op 6,
// with the handle and no values. The server answers with an update (op 3: the object's handle and its values)
// or a status (op 5: "result" and perhaps "message"), its rid the request's id.

import { connect as netConnect, type Socket } from 'node:net';
import { fullAlgorithmName, keySigner, type OmapiKey, verifySignature } from './auth.js';
import { ISC_R, resultText } from './results.js';
import {
  type DecodeLimits,
  decodeIntro,
  decodeMessage,
  encodeIntro,
  encodeMessage,
  findValue,
  type NameValue,
  OMAPI_DEFAULT_PORT,
  type OmapiMessage,
  OP,
  readString,
  readU32,
  type Signer,
  stringValue,
  u32Value,
} from './wire.js';

/** ISC's first transaction id on a fresh omshell (its random() unseeded); any value works. */
export const FIRST_ID = 0x6b8b4567;

export const AUTHENTICATOR_TYPE = 'authenticator';

/** The server's answer to one request. */
export type Answer =
  | { readonly kind: 'object'; readonly handle: number; readonly values: readonly NameValue[] }
  | { readonly kind: 'status'; readonly result: number; readonly text: string; readonly message?: string };

export interface OpenFlags {
  readonly create?: boolean;
  readonly exclusive?: boolean;
  readonly update?: boolean;
}

export type ClientEvent =
  | { readonly kind: 'introduced' }
  | { readonly kind: 'answer'; readonly rid: number; readonly answer: Answer }
  | { readonly kind: 'error'; readonly detail: string };

/** The answer carried by a message from the server: an update is an object, anything else a status. */
export function answerOf(m: OmapiMessage): Answer {
  if (m.op === OP.update) return { kind: 'object', handle: m.handle, values: m.object };
  if (m.op === OP.status) {
    const result = readU32(findValue(m.message, 'result')?.value) ?? ISC_R.UNEXPECTED;
    const message = readString(findValue(m.message, 'message')?.value ?? null);
    return { kind: 'status', result, text: resultText(result), ...(message !== undefined ? { message } : {}) };
  }
  return { kind: 'status', result: ISC_R.UNEXPECTED, text: resultText(ISC_R.UNEXPECTED), message: `op ${m.op}` };
}

/** The protocol state of one client connection. */
export class ClientProtocol {
  private buf: Uint8Array = new Uint8Array(0);
  private headerSize: number | undefined;
  private nextId: number;
  private authid = 0;
  private key: OmapiKey | undefined;
  private signer: Signer | undefined;

  constructor(
    firstId = FIRST_ID,
    private readonly limits: DecodeLimits = {},
  ) {
    this.nextId = firstId >>> 0;
  }

  /** The introduction to send first. */
  intro(): Uint8Array {
    return encodeIntro();
  }

  get introduced(): boolean {
    return this.headerSize !== undefined;
  }

  /** Whether messages are signed (an authenticator is in place). */
  get signing(): boolean {
    return this.signer !== undefined;
  }

  private id(): number {
    const id = this.nextId;
    this.nextId = (this.nextId + 1) >>> 0;
    return id;
  }

  private encode(op: number, handle: number, message: NameValue[], object: readonly NameValue[]) {
    const id = this.id();
    const bytes = this.signer
      ? encodeMessage({ authid: this.authid, op, handle, id, message, object }, this.signer)
      : encodeMessage({ op, handle, id, message, object });
    return { id, bytes };
  }

  /** An open (op 1) of an object of `type` (omitted: none sent) named by `values`. */
  buildOpen(type: string | undefined, values: readonly NameValue[], flags: OpenFlags = {}) {
    const message: NameValue[] = [];
    if (flags.create) message.push({ name: 'create', value: u32Value(1) });
    if (flags.update) message.push({ name: 'update', value: u32Value(1) });
    if (flags.exclusive) message.push({ name: 'exclusive', value: u32Value(1) });
    if (type !== undefined) message.push({ name: 'type', value: stringValue(type) });
    return this.encode(OP.open, 0, message, values);
  }

  /** An update (op 3) of the object with `handle`: the values to change (null: remove the attribute). */
  buildUpdate(handle: number, values: readonly NameValue[]) {
    return this.encode(OP.update, handle, [], values);
  }

  /** A refresh (op 2): the server sends the object's values again. */
  buildRefresh(handle: number) {
    return this.encode(OP.refresh, handle, [], []);
  }

  /** A delete (op 6) of the object with `handle`. */
  buildRemove(handle: number) {
    return this.encode(OP.delete, handle, [], []);
  }

  /**
   * The unsigned open of an authenticator for `key` (what dhcpctl_connect sends before anything else). Pass the
   * answer to `acceptAuthenticator`.
   */
  buildAuthenticator(key: OmapiKey, algorithmFull: string) {
    const values: NameValue[] = [
      { name: 'name', value: stringValue(key.name) },
      { name: 'algorithm', value: stringValue(algorithmFull) },
    ];
    return this.buildOpen(AUTHENTICATOR_TYPE, values);
  }

  /** Takes the server's answer to the authenticator open; from then on every message is signed. */
  acceptAuthenticator(key: OmapiKey, answer: Answer): Answer {
    if (answer.kind !== 'object') return answer;
    const signer = keySigner(key);
    if (!signer) return { kind: 'status', result: ISC_R.NOTIMPLEMENTED, text: resultText(ISC_R.NOTIMPLEMENTED) };
    this.key = key;
    this.signer = signer;
    this.authid = answer.handle;
    return answer;
  }

  /** Feeds bytes from the server; returns what they completed. An `error` means the connection is unusable. */
  receive(chunk: Uint8Array): ClientEvent[] {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf, 0);
    joined.set(chunk, this.buf.length);
    const events: ClientEvent[] = [];
    let at = 0;
    for (;;) {
      if (this.headerSize === undefined) {
        const r = decodeIntro(joined, at, this.limits);
        if (r.kind === 'incomplete') break;
        if (r.kind === 'error') {
          events.push({ kind: 'error', detail: r.error.detail });
          this.buf = new Uint8Array(0);
          return events;
        }
        this.headerSize = r.intro.headerSize;
        at = r.end;
        events.push({ kind: 'introduced' });
        continue;
      }
      const r = decodeMessage(joined, at, this.headerSize, this.limits);
      if (r.kind === 'incomplete') break;
      if (r.kind === 'error') {
        events.push({ kind: 'error', detail: r.error.detail });
        this.buf = new Uint8Array(0);
        return events;
      }
      at = r.end;
      const m = r.message;
      if (m.authid !== 0 || m.signature.length > 0) {
        // A signed answer must carry our authenticator's signature (dhcpctl drops it otherwise).
        if (!this.key || m.authid !== this.authid || !verifySignature(this.key, r.signed, m.signature)) {
          events.push({ kind: 'error', detail: `message ${m.id}: invalid signature` });
          this.buf = new Uint8Array(0);
          return events;
        }
      }
      events.push({ kind: 'answer', rid: m.rid, answer: answerOf(m) });
    }
    this.buf = joined.slice(at);
    return events;
  }
}

/** Connection failures, with the words dhcpctl_connect's caller prints ("dhcpctl_connect: not found"). */
export class OmapiConnectError extends Error {
  constructor(
    readonly result: number,
    detail?: string,
  ) {
    super(detail ?? resultText(result));
  }
}

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
