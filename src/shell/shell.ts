// The shell's state and what each command does, as omshell's main loop (dhcpctl/omshell.c): one connection, at
// most one object, the object's attributes with a "changed" flag each (what dhcpctl sends: the values set since
// the last answer that carried the object). Output goes through `out` (what omshell prints on stdout) and `err`
// (its stderr); the connection comes from `connect`, so tests can put a fake behind it.

import { secretFromBase64 } from '../omapi/auth.js';
import { type Answer, OmapiConnectError, type OpenFlags } from '../omapi/client.js';
import { ISC_R, resultText } from '../omapi/results.js';
import { type NameValue, OMAPI_DEFAULT_PORT, stringValue, u32Value } from '../omapi/wire.js';
import { type Attribute, formatObject } from './format.js';
import { type Command, parseLine, type ShellValue } from './parse.js';

/** What the shell needs of a connection (OmapiClient has it). */
export interface ShellConnection {
  open(type: string | undefined, values: readonly NameValue[], flags?: OpenFlags): Promise<Answer>;
  update(handle: number, values: readonly NameValue[]): Promise<Answer>;
  refresh(handle: number): Promise<Answer>;
  remove(handle: number): Promise<Answer>;
  close(): void;
}

export interface ConnectRequest {
  readonly host: string;
  readonly port: number;
  readonly key?: { readonly name: string; readonly algorithm: string; readonly secret: Uint8Array };
}

export interface ShellIo {
  out(text: string): void;
  err(text: string): void;
  connect(req: ConnectRequest): Promise<ShellConnection>;
  /** Print values as omshell does (hex) rather than readably. */
  readonly raw?: boolean;
}

export const HELP = `Commands:
  port <server omapi port>
  server <server address>
  key <key name> <key value>
  key-algorithm <algorithm name>
  connect
  disconnect
  new <object-type>
  set <name> = <value>
  create
  open
  update
  unset <name>
  refresh
  remove
  close
Values: "string", 123 (integer), 192.0.2.10 (address), 00:16:36:51:5d:5a (bytes).
`;

interface Obj {
  type: string;
  handle: number;
  attrs: { name: string; value: ShellValue | null; changed: boolean }[];
}

export function toWire(v: ShellValue | null): Uint8Array | null {
  if (v === null) return null;
  if (v.kind === 'string') return stringValue(v.text);
  if (v.kind === 'int') return u32Value(v.n);
  return v.bytes;
}

export class Shell {
  private host = '127.0.0.1';
  private port = OMAPI_DEFAULT_PORT;
  private keyName: string | undefined;
  private secret: Uint8Array | undefined;
  private algorithm = 'hmac-md5';
  private conn: ShellConnection | undefined;
  private obj: Obj | undefined;

  constructor(private readonly io: ShellIo) {}

  get connected(): boolean {
    return this.conn !== undefined;
  }

  /** What omshell prints before each prompt: the object once connected, nothing before. */
  status(): string {
    if (!this.conn) return '';
    return formatObject(this.obj?.type, this.obj?.attrs, this.io.raw ?? false);
  }

  /** Runs one line. */
  async line(text: string): Promise<void> {
    const c = parseLine(text);
    if (c.cmd === 'error') {
      this.io.out(`${c.text}\n`);
      return;
    }
    await this.run(c);
  }

  async run(c: Command): Promise<void> {
    const say = (s: string) => this.io.out(`${s}\n`);
    switch (c.cmd) {
      case 'none':
        return;
      case 'help':
        this.io.out(HELP);
        return;
      case 'server':
        this.host = c.host;
        return;
      case 'port':
        this.port = c.port;
        return;
      case 'key': {
        const secret = secretFromBase64(c.secret);
        if (!secret) {
          say('usage: key <name> <value>');
          return;
        }
        this.keyName = c.name;
        this.secret = secret;
        return;
      }
      case 'key-algorithm':
        this.algorithm = c.algorithm;
        return;
      case 'connect': {
        if (this.conn) {
          // omshell opens a second connection and forgets the first; one is enough
          this.conn.close();
          this.conn = undefined;
        }
        try {
          this.conn = await this.io.connect({
            host: this.host,
            port: this.port,
            ...(this.keyName !== undefined && this.secret
              ? { key: { name: this.keyName, algorithm: this.algorithm, secret: this.secret } }
              : {}),
          });
        } catch (e) {
          this.io.err(`dhcpctl_connect: ${e instanceof OmapiConnectError || e instanceof Error ? e.message : e}\n`);
        }
        return;
      }
      case 'disconnect':
        if (!this.conn) {
          this.io.err('not connected\n');
          return;
        }
        this.conn.close();
        this.conn = undefined;
        this.obj = undefined;
        return;
      case 'new':
        if (this.obj) return say('an object is already open.');
        if (!this.conn) return say('not connected.');
        this.obj = { type: c.type, handle: 0, attrs: [] };
        return;
      case 'close':
        if (!this.conn) return say('not connected.');
        if (!this.obj) return say('not open.');
        this.obj = undefined;
        return;
      case 'set':
      case 'unset': {
        if (!this.obj) return say('no open object.');
        if (!this.conn) return say('not connected.');
        this.setAttr(c.name, c.cmd === 'set' ? c.value : null, true);
        return;
      }
      case 'open':
      case 'create': {
        if (!this.conn) return say('not connected.');
        if (!this.obj) return say('you must make a new object first!');
        const flags = c.cmd === 'create' ? { create: true, exclusive: true } : {};
        const a = await this.ask(() => this.conn!.open(this.obj!.type, this.changed(), flags));
        if (!a.ok) return say(`can't open object: ${a.text}`);
        return;
      }
      case 'update': {
        if (!this.conn) return say('not connected.');
        if (!this.obj) return say("you haven't opened an object yet!");
        const a = await this.ask(() => this.conn!.update(this.obj!.handle, this.changed()));
        if (!a.ok) return say(`can't update object: ${a.text}`);
        return;
      }
      case 'refresh': {
        if (!this.conn) return say('not connected.');
        if (!this.obj) return say('no object.');
        const a = await this.ask(() => this.conn!.refresh(this.obj!.handle));
        if (!a.ok) return say(`can't refresh object: ${a.text}`);
        return;
      }
      case 'remove': {
        if (!this.conn) return say('not connected.');
        if (!this.obj) return say('no object.');
        const a = await this.ask(() => this.conn!.remove(this.obj!.handle));
        if (!a.ok) return say(`can't destroy object: ${a.text}`);
        this.obj = undefined;
        return;
      }
    }
  }

  /** Ends the session (closes the connection). */
  end(): void {
    this.conn?.close();
    this.conn = undefined;
  }

  private changed(): NameValue[] {
    return this.obj!.attrs.filter((a) => a.changed).map((a) => ({ name: a.name, value: toWire(a.value) }));
  }

  private setAttr(name: string, value: ShellValue | null, changed: boolean): void {
    const attrs = this.obj!.attrs;
    const at = attrs.findIndex((a) => a.name === name);
    if (at >= 0) attrs[at] = { name, value, changed };
    else attrs.push({ name, value, changed });
  }

  /**
   * Sends a request and takes its answer: an object's values replace or join the local ones and clear the changed
   * flags (dhcpctl's "updated" signal); a success status leaves them; a failure or a dead connection is a status.
   */
  private async ask(send: () => Promise<Answer>): Promise<{ ok: true } | { ok: false; text: string }> {
    let a: Answer;
    try {
      a = await send();
    } catch (e) {
      // the connection is gone (ISC's library drops it on a bad answer, omshell then reports the wait)
      this.conn?.close();
      this.conn = undefined;
      return { ok: false, text: resultText(e instanceof OmapiConnectError ? e.result : ISC_R.IOERROR) };
    }
    if (a.kind === 'status') return a.result === ISC_R.SUCCESS ? { ok: true } : { ok: false, text: a.text };
    const obj = this.obj!;
    obj.handle = a.handle;
    for (const v of a.values) {
      this.setAttr(v.name, v.value === null ? null : { kind: 'data', bytes: v.value }, false);
    }
    for (const at of obj.attrs) at.changed = false;
    return { ok: true };
  }

  /** For tests: the current object's attributes. */
  attributes(): readonly Attribute[] | undefined {
    return this.obj?.attrs.map((a) => ({ name: a.name, value: a.value }));
  }
}
