// One OMAPI connection, server side, as a sans-I/O state machine: the shell feeds it the bytes it receives and
// the time, and writes what comes back; the session never touches a socket or a timer. Objects come from an
// ObjectProvider (provider.ts); handles are the session's own, allocated per connection.
//
// What it promises, following ISC's omapip (protocol.c, message.c) except where noted:
// - It sends its introduction first (greeting()), then expects the peer's: version 100 and a header size of at
//   least 24. Anything else closes the connection ('bad-version', 'bad-header-size').
// - Messages are handled one at a time, in order; the provider is called for one message at a time.
// - A signed message is checked before anything else: an unknown authid is answered "zone TSIG key not known",
//   a wrong signature "invalid TSIG key" (both unsigned, nothing done, the connection stays open, as ISC).
// - With a required key (dhcpd's `omapi-key`), a message that is not signed is answered "no key specified"
//   ("No authenticator on message"), unless it opens an authenticator: nothing is readable or writable without
//   a valid signature. Only the required key can be selected as an authenticator ("invalid TSIG key").
// - Replies are signed with the key that signed the request.
// - Status answers carry ISC's result codes and message texts ("no object matches specification", "no
//   matching handle", "can't update object", ...).
// - Closing causes: bad introduction, a malformed or oversized message (wire.ts causes), a status or response
//   message (ISC: "unexpected", disconnects too), an unknown opcode (ISC disconnects; here a status
//   "not implemented" goes out first), nothing heard for the idle time. The shell logs one line per close.
// Departures from ISC: an open that names no usable key (DHCP_R_NOKEYS) without `create` is answered with that
// status, where ISC would create an empty, unattached object and send it back.

import { Keyring, keySigner, type OmapiKey, sameAlgorithm, supportedAlgorithm, verifySignature } from './auth.js';
import {
  type Attribute,
  isObjectRef,
  type ObjectProvider,
  type ObjectRef,
  type Outcome,
  type RequestContext,
} from './provider.js';
import { DHCP_R, ISC_R } from './results.js';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  type DecodeLimits,
  decodeIntro,
  decodeMessage,
  dedupeValues,
  encodeIntro,
  encodeMessage,
  findValue,
  type NameValue,
  OMAPI_INTRO_SIZE,
  type OmapiMessage,
  OP,
  readU32,
  stringValue,
  u32Value,
  type WireErrorCause,
} from './wire.js';

export const AUTHENTICATOR_TYPE = 'authenticator';

export interface SessionOptions {
  readonly provider: ObjectProvider;
  /** Keys a client may select (dhcpd: every `key` statement). */
  readonly keys?: Keyring | readonly OmapiKey[];
  /** dhcpd's `omapi-key`: when set, every message must be signed with this key. */
  readonly requiredKey?: string;
  readonly limits?: DecodeLimits;
  /** Close when the introduction has not arrived after this long (default 10 s). */
  readonly introTimeoutMs?: number;
  /** Close when nothing arrives for this long once introduced (default 300 s; 0 = never). */
  readonly idleTimeoutMs?: number;
  /** The first transaction id of this side (ISC: random()); default 1. */
  readonly firstTransactionId?: number;
  /** Most handles one connection may hold (default 1,000,000). */
  readonly maxHandles?: number;
  /** "address:port" of the peer, passed to the provider. */
  readonly peer?: string;
}

export type CloseCause =
  | WireErrorCause
  | 'idle'
  | 'unknown-opcode'
  | 'unexpected-status'
  | 'unexpected-response'
  | 'internal-error';

export interface SessionClose {
  readonly cause: CloseCause;
  readonly detail: string;
}

export interface SessionOutput {
  /** Bytes to write, in order. */
  readonly send: readonly Uint8Array[];
  /** When set: write `send`, then close the connection. */
  readonly close?: SessionClose;
}

interface HandleEntry {
  readonly ref: ObjectRef;
  /** Set for an authenticator: the key it stands for. */
  readonly key?: OmapiKey;
}

const NOTHING: SessionOutput = { send: [] };

function refKey(ref: ObjectRef): string {
  return `${ref.type}\u0000${ref.id}`;
}

function asString(v: Uint8Array | null | undefined): string | undefined {
  return v ? new TextDecoder().decode(v) : undefined;
}

export class OmapiSession {
  private readonly provider: ObjectProvider;
  private readonly keyring: Keyring;
  private readonly requiredKey: string | undefined;
  private readonly limits: DecodeLimits;
  private readonly introTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly maxHandles: number;
  private readonly peer: string | undefined;

  private buf: Uint8Array = new Uint8Array(0);
  private need = OMAPI_INTRO_SIZE;
  private headerSize = 0; // 0 until the peer's introduction arrived
  private lastHeard: number;
  private closedWith: SessionClose | undefined;
  private nextXid: number;
  private nextHandle = 1;
  private readonly handles = new Map<number, HandleEntry>();
  private readonly handleOfRef = new Map<string, number>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(opts: SessionOptions, now: number) {
    this.provider = opts.provider;
    this.keyring = opts.keys instanceof Keyring ? opts.keys : new Keyring(opts.keys ?? []);
    this.requiredKey = opts.requiredKey;
    this.limits = opts.limits ?? {};
    this.introTimeoutMs = opts.introTimeoutMs ?? 10_000;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 300_000;
    this.maxHandles = opts.maxHandles ?? 1_000_000;
    this.peer = opts.peer;
    this.nextXid = (opts.firstTransactionId ?? 1) >>> 0;
    this.lastHeard = now;
  }

  /** The introduction to send as soon as the connection is up. */
  greeting(): Uint8Array {
    return encodeIntro();
  }

  /** Why the session ended, once it has. */
  get closed(): SessionClose | undefined {
    return this.closedWith;
  }

  /** When tick() should next be called (ms, same clock as `now`); undefined when no deadline applies. */
  deadline(): number | undefined {
    if (this.closedWith) return undefined;
    const wait = this.headerSize === 0 ? this.introTimeoutMs : this.idleTimeoutMs;
    return wait > 0 ? this.lastHeard + wait : undefined;
  }

  /** Closes the session when its deadline has passed. */
  tick(now: number): SessionOutput {
    const d = this.deadline();
    if (d === undefined || now < d) return NOTHING;
    const what = this.headerSize === 0 ? 'no introduction' : this.buf.length > 0 ? 'an unfinished message' : 'nothing';
    return this.close('idle', `${what} in ${Math.round((now - this.lastHeard) / 1000)} s`);
  }

  /**
   * Takes received bytes; resolves to what to send (and whether to close). Calls are processed in order even
   * when the caller does not wait for one before the next. Never rejects.
   */
  receive(bytes: Uint8Array, now: number): Promise<SessionOutput> {
    if (bytes.length > 0 && !this.closedWith) this.lastHeard = now;
    const run = this.chain.then(() => this.process(bytes));
    this.chain = run;
    return run;
  }

  private close(cause: CloseCause, detail: string, send: Uint8Array[] = []): SessionOutput {
    this.closedWith = { cause, detail };
    this.buf = new Uint8Array(0);
    return { send, close: this.closedWith };
  }

  private append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.buf.length === 0) {
      this.buf = bytes.slice();
      return;
    }
    const merged = new Uint8Array(this.buf.length + bytes.length);
    merged.set(this.buf, 0);
    merged.set(bytes, this.buf.length);
    this.buf = merged;
  }

  private async process(bytes: Uint8Array): Promise<SessionOutput> {
    if (this.closedWith) return NOTHING;
    const send: Uint8Array[] = [];
    try {
      this.append(bytes);
      for (;;) {
        if (this.buf.length < this.need) break;
        if (this.headerSize === 0) {
          const r = decodeIntro(this.buf, 0, this.limits);
          if (r.kind === 'incomplete') break;
          if (r.kind === 'error') return this.close(r.error.cause, r.error.detail, send);
          this.headerSize = r.intro.headerSize;
          this.buf = this.buf.subarray(r.end);
          this.need = this.headerSize;
          continue;
        }
        const r = decodeMessage(this.buf, 0, this.headerSize, this.limits);
        if (r.kind === 'incomplete') {
          this.need = r.need; // no point decoding again before this many bytes are here
          break;
        }
        if (r.kind === 'error') return this.close(r.error.cause, r.error.detail, send);
        this.buf = this.buf.subarray(r.end);
        this.need = this.headerSize;
        const out = await this.handle(r.message, r.signed);
        send.push(...out.send);
        if (out.close) return this.close(out.close.cause, out.close.detail, send);
      }
      return { send };
    } catch (err) {
      return this.close('internal-error', (err as Error)?.message ?? String(err), send);
    }
  }

  // ---- one message

  private async handle(m: OmapiMessage, signed: Uint8Array): Promise<SessionOutput> {
    let auth: HandleEntry | undefined;
    if (m.authid !== 0) {
      auth = this.handles.get(m.authid);
      if (!auth?.key) {
        return { send: [this.status(undefined, DHCP_R.KEY_UNKNOWN, m.id, 'unknown authenticator')] };
      }
      if (!verifySignature(auth.key, signed, m.signature)) {
        return { send: [this.status(undefined, DHCP_R.INVALIDKEY, m.id, 'invalid signature')] };
      }
    }
    const signWith = auth ? m.authid : undefined;
    const ctx: RequestContext = {
      ...(auth?.key ? { keyName: auth.key.name } : {}),
      ...(this.peer ? { peer: this.peer } : {}),
    };
    if (m.rid !== 0) {
      // The server never has a message of its own waiting for an answer.
      return { send: [], close: { cause: 'unexpected-response', detail: `message ${m.id} answers ${m.rid}` } };
    }
    const secured = this.requiredKey !== undefined;
    if (secured && !auth && m.op !== OP.open) {
      return { send: [this.status(undefined, DHCP_R.NOKEYS, m.id, 'No authenticator on message')] };
    }
    try {
      switch (m.op) {
        case OP.open:
          return { send: [await this.open(m, signWith, ctx, secured && !auth)] };
        case OP.refresh:
          return { send: [await this.refresh(m.handle, m.id, signWith, ctx)] };
        case OP.update:
          return { send: [await this.update(m, signWith, ctx)] };
        case OP.notify:
          return { send: [this.status(signWith, ISC_R.NOTIMPLEMENTED, m.id, 'notify not implemented yet')] };
        case OP.status:
          return { send: [], close: { cause: 'unexpected-status', detail: `status message ${m.id} answers nothing` } };
        case OP.delete:
          return { send: [await this.remove(m, signWith, ctx)] };
        default:
          return {
            send: [this.status(signWith, ISC_R.NOTIMPLEMENTED, m.id, `unknown opcode ${m.op}`)],
            close: { cause: 'unknown-opcode', detail: `opcode ${m.op}` },
          };
      }
    } catch (err) {
      // A provider that throws: the request fails, the connection lives on.
      return { send: [this.status(signWith, ISC_R.UNEXPECTED, m.id, `internal error: ${(err as Error)?.message}`)] };
    }
  }

  private flag(m: OmapiMessage, name: string): boolean | 'invalid' {
    const v = findValue(m.message, name);
    if (!v) return false;
    const n = readU32(v.value);
    return n === undefined ? 'invalid' : n !== 0;
  }

  private async open(
    m: OmapiMessage,
    signWith: number | undefined,
    ctx: RequestContext,
    unsignedOnSecured: boolean,
  ): Promise<Uint8Array> {
    const typeName = asString(findValue(m.message, 'type')?.value);
    const isAuth = typeName === AUTHENTICATOR_TYPE;
    const type = typeName !== undefined && (isAuth || this.provider.hasType(typeName)) ? typeName : undefined;
    if (unsignedOnSecured && !isAuth) {
      return this.status(undefined, DHCP_R.NOKEYS, m.id, 'No authenticator on message');
    }
    const flags: Record<'create' | 'update' | 'exclusive', boolean> = {
      create: false,
      update: false,
      exclusive: false,
    };
    for (const name of ['create', 'update', 'exclusive'] as const) {
      const f = this.flag(m, name);
      if (f === 'invalid') return this.status(signWith, DHCP_R.INVALIDARG, m.id, `invalid ${name} flag value`);
      flags[name] = f;
    }
    if (type === undefined) {
      if (flags.create) return this.status(signWith, DHCP_R.INVALIDARG, m.id, 'type required on create');
      return this.refresh(m.handle, m.id, signWith, ctx);
    }
    const values = dedupeValues(m.object);
    if (isAuth) return this.openAuthenticator(m, values, flags, signWith);

    const found = await this.provider.lookup(type, values, ctx);
    if (!found.ok && found.result !== ISC_R.NOTFOUND && found.result !== DHCP_R.NOKEYS) {
      return this.status(signWith, found.result, m.id, found.message ?? 'object lookup failed');
    }
    if (!found.ok && !flags.create) {
      return this.status(signWith, found.result, m.id, found.message ?? 'no object matches specification');
    }
    let ref: ObjectRef;
    if (found.ok) {
      if (flags.create && flags.exclusive) {
        return this.status(signWith, ISC_R.EXISTS, m.id, 'specified object already exists');
      }
      ref = found.value;
      if (flags.create || flags.update) {
        const u = await this.provider.update(ref, values, ctx);
        if (!u.ok) return this.status(signWith, u.result, m.id, u.message ?? "can't update object");
      }
    } else {
      const c = await this.provider.create(type, values, ctx);
      if (!c.ok) return this.status(signWith, c.result, m.id, c.message ?? "can't create new object");
      ref = c.value;
    }
    return this.sendObject(ref, m.id, signWith, ctx);
  }

  private openAuthenticator(
    m: OmapiMessage,
    values: readonly NameValue[],
    flags: Record<'create' | 'update' | 'exclusive', boolean>,
    signWith: number | undefined,
  ): Uint8Array {
    const name = asString(findValue(values, 'name')?.value);
    const algorithm = asString(findValue(values, 'algorithm')?.value);
    const key = name !== undefined ? this.keyring.get(name) : undefined;
    const matches =
      key !== undefined &&
      algorithm !== undefined &&
      sameAlgorithm(algorithm, key.algorithm) &&
      supportedAlgorithm(key.algorithm);
    if (!matches) {
      if (flags.create) return this.status(signWith, ISC_R.NOTIMPLEMENTED, m.id, "can't create new object");
      return this.status(signWith, ISC_R.NOTFOUND, m.id, 'no object matches specification');
    }
    if (flags.create && flags.exclusive) {
      return this.status(signWith, ISC_R.EXISTS, m.id, 'specified object already exists');
    }
    if (flags.create || flags.update) return this.status(signWith, ISC_R.NOPERM, m.id, "can't update object");
    if (this.requiredKey !== undefined && this.requiredKey.toLowerCase() !== key.name.toLowerCase()) {
      return this.status(signWith, DHCP_R.INVALIDKEY, m.id, "can't select authenticator");
    }
    const handle = this.handleFor({ type: AUTHENTICATOR_TYPE, id: key.name.toLowerCase() }, key);
    if (handle === undefined) return this.status(signWith, ISC_R.NORESOURCES, m.id, 'too many handles');
    return this.updateMessage(signWith, m.id, handle, this.authAttributes(key));
  }

  private authAttributes(key: OmapiKey): NameValue[] {
    const full = key.algorithm.includes('.') ? key.algorithm : `${key.algorithm}.SIG-ALG.REG.INT.`;
    return [
      { name: 'name', value: stringValue(key.name) },
      { name: 'algorithm', value: stringValue(full) },
    ];
  }

  private async refresh(
    handle: number,
    rid: number,
    signWith: number | undefined,
    ctx: RequestContext,
  ): Promise<Uint8Array> {
    const entry = this.handles.get(handle);
    if (!entry) return this.status(signWith, ISC_R.NOTFOUND, rid, 'no matching handle');
    if (entry.key) return this.updateMessage(signWith, rid, handle, this.authAttributes(entry.key));
    return this.sendObject(entry.ref, rid, signWith, ctx);
  }

  private async update(m: OmapiMessage, signWith: number | undefined, ctx: RequestContext): Promise<Uint8Array> {
    const entry = this.handles.get(m.handle);
    if (!entry) return this.status(signWith, ISC_R.NOTFOUND, m.id, 'no matching handle');
    if (entry.key) return this.status(signWith, ISC_R.NOPERM, m.id, 'cannot update authenticator');
    const u = await this.provider.update(entry.ref, dedupeValues(m.object), ctx);
    if (!u.ok) return this.status(signWith, u.result, m.id, u.message ?? "can't update object");
    return this.status(signWith, ISC_R.SUCCESS, m.id);
  }

  private async remove(m: OmapiMessage, signWith: number | undefined, ctx: RequestContext): Promise<Uint8Array> {
    const entry = this.handles.get(m.handle);
    if (!entry) return this.status(signWith, ISC_R.NOTFOUND, m.id, 'no matching handle');
    if (entry.key) return this.status(signWith, ISC_R.NOTIMPLEMENTED, m.id, 'no remove method for object');
    const r = await this.provider.remove(entry.ref, ctx);
    if (!r.ok) return this.status(signWith, r.result, m.id, r.message);
    this.handles.delete(m.handle);
    this.handleOfRef.delete(refKey(entry.ref));
    return this.status(signWith, ISC_R.SUCCESS, m.id);
  }

  private async sendObject(
    ref: ObjectRef,
    rid: number,
    signWith: number | undefined,
    ctx: RequestContext,
  ): Promise<Uint8Array> {
    const handle = this.handleFor(ref);
    if (handle === undefined) return this.status(signWith, ISC_R.NORESOURCES, rid, 'too many handles');
    const attrs: Outcome<readonly Attribute[]> = await this.provider.read(ref, ctx);
    if (!attrs.ok) return this.status(signWith, attrs.result, rid, attrs.message ?? 'no matching handle');
    const values: NameValue[] = [];
    for (const a of attrs.value) {
      if (isObjectRef(a.value)) {
        const h = this.handleFor(a.value);
        values.push({ name: a.name, value: u32Value(h ?? 0) });
      } else values.push({ name: a.name, value: a.value });
    }
    return this.updateMessage(signWith, rid, handle, values);
  }

  /** The handle of an object on this connection, allocated on first use; undefined when the table is full. */
  private handleFor(ref: ObjectRef, key?: OmapiKey): number | undefined {
    const k = refKey(ref);
    const known = this.handleOfRef.get(k);
    if (known !== undefined) return known;
    if (this.handles.size >= this.maxHandles) return undefined;
    const h = this.nextHandle++;
    this.handles.set(h, key ? { ref, key } : { ref });
    this.handleOfRef.set(k, h);
    return h;
  }

  // ---- building replies

  private xid(): number {
    const id = this.nextXid;
    this.nextXid = (this.nextXid + 1) >>> 0;
    return id;
  }

  private signerFor(authHandle: number | undefined) {
    if (authHandle === undefined) return undefined;
    const key = this.handles.get(authHandle)?.key;
    return key ? keySigner(key) : undefined;
  }

  private status(signWith: number | undefined, result: number, rid: number, text?: string): Uint8Array {
    const message: NameValue[] = [{ name: 'result', value: u32Value(result) }];
    if (text !== undefined) message.push({ name: 'message', value: stringValue(text) });
    const signer = this.signerFor(signWith);
    return encodeMessage(
      { authid: signer ? signWith : 0, op: OP.status, handle: 0, id: this.xid(), rid, message },
      signer,
    );
  }

  private updateMessage(signWith: number | undefined, rid: number, handle: number, object: NameValue[]): Uint8Array {
    const signer = this.signerFor(signWith);
    return encodeMessage({ authid: signer ? signWith : 0, op: OP.update, handle, id: this.xid(), rid, object }, signer);
  }
}

export { DEFAULT_MAX_MESSAGE_BYTES };
