// A client connection wired to an in-process OmapiSession (the server's state machine): ClientProtocol's bytes
// go to the session, the session's answers come back through ClientProtocol. No sockets, no timers.

import type { OmapiKey } from '../../../src/omapi/auth.js';
import { fullAlgorithmName } from '../../../src/omapi/auth.js';
import { type Answer, ClientProtocol, OmapiConnectError, type OpenFlags } from '../../../src/omapi/client.js';
import { OmapiSession, type SessionOptions } from '../../../src/omapi/session.js';
import type { NameValue } from '../../../src/omapi/wire.js';

export class PipeConnection {
  readonly protocol = new ClientProtocol();
  readonly session: OmapiSession;
  closed = false;
  /** Every message sent, as bytes (for byte-exact checks). */
  readonly sent: Uint8Array[] = [];

  constructor(opts: SessionOptions) {
    this.session = new OmapiSession(opts, 0);
  }

  static async connect(opts: SessionOptions, key?: OmapiKey): Promise<PipeConnection> {
    const c = new PipeConnection(opts);
    const events = c.protocol.receive(c.session.greeting());
    if (events[0]?.kind !== 'introduced') throw new Error('no introduction');
    await c.session.receive(c.protocol.intro(), 0);
    if (key) {
      const { id, bytes } = c.protocol.buildAuthenticator(key, fullAlgorithmName(key.algorithm));
      const a = c.protocol.acceptAuthenticator(key, await c.exchange(id, bytes));
      if (a.kind === 'status') throw new OmapiConnectError(a.result);
    }
    return c;
  }

  async exchange(id: number, bytes: Uint8Array): Promise<Answer> {
    if (this.closed) throw new OmapiConnectError(26, 'connection closed');
    this.sent.push(bytes);
    const out = await this.session.receive(bytes, 0);
    for (const b of out.send) {
      for (const ev of this.protocol.receive(b)) {
        if (ev.kind === 'error') {
          this.closed = true;
          throw new OmapiConnectError(34, ev.detail);
        }
        if (ev.kind === 'answer' && (ev.rid === id || ev.rid === 0)) return ev.answer;
      }
    }
    this.closed = true;
    throw new OmapiConnectError(26, out.close?.detail ?? 'no answer');
  }

  open(type: string | undefined, values: readonly NameValue[], flags: OpenFlags = {}): Promise<Answer> {
    const { id, bytes } = this.protocol.buildOpen(type, values, flags);
    return this.exchange(id, bytes);
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
  close(): void {
    this.closed = true;
  }
}
