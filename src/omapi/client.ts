// The client side of OMAPI, as ISC's dhcpctl library speaks it (dhcpctl/dhcpctl.c, remote.c, omapip/protocol.c):
//
// - `ClientProtocol` is the protocol state, pure (no sockets, no clocks): the introduction, transaction ids, the
//   authenticator (once the server has given it a handle every message is signed with it, and signed answers are
//   checked), and the decoding of answers. Bytes go in through `receive`, bytes to send come out of `build*`.
// - `OmapiClient` (daemon-client.ts) is the thin socket shell around it.
//
// What dhcpctl sends: open = op 1, message values create / exclusive (as 4-byte booleans) and type, the object's
// changed values; update = op 3 with the object's handle and its changed values; refresh = op 2, delete = op 6,
// with the handle and no values. The server answers with an update (op 3: the object's handle and its values)
// or a status (op 5: "result" and perhaps "message"), its rid the request's id.

import { keySigner, type OmapiKey, verifySignature } from './auth.js';
import { ISC_R, resultText } from './results.js';
import {
  type DecodeLimits,
  decodeIntro,
  decodeMessage,
  encodeIntro,
  encodeMessage,
  findValue,
  type NameValue,
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
