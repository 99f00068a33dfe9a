// The seam between an OMAPI session and whatever owns the objects (the DHCP server's hosts and leases, the
// client's control object, the in-memory tables of the tests). A session speaks the protocol - handles,
// authenticators, signatures, status codes - and asks its ObjectProvider for the objects themselves.
//
// A provider answers with ISC's result codes (results.ts), so that the status a client sees is the one ISC's
// dhcpd would have sent: a lookup that matches nothing is ISC_R_NOTFOUND, one given no usable key
// DHCP_R_NOKEYS, keys naming two different objects DHCP_R_KEYCONFLICT, an attribute that cannot be changed
// ISC_R_EXISTS / ISC_R_NOPERM / DHCP_R_UNKNOWNATTRIBUTE, a type without a remove method ISC_R_NOTIMPLEMENTED.
//
// Values are raw bytes in ISC's encodings (wire.ts: 4-byte integers, strings without terminator, addresses as
// 4 bytes); `null` is a zero-length value, which in an update asks for the attribute to be removed. An object
// may name another object (a lease's host, subnet, pool): it returns an ObjectRef as the value and the session
// sends the handle it allocates for it.
//
// Every method may return a promise (the server makes a created host durable before it answers); a session
// calls its provider for one message at a time, in the order the messages arrived.

import type { NameValue } from './wire.js';

/** Names an object: its OMAPI type ("host", "lease", ...) and an id unique within the type, stable while it lives. */
export interface ObjectRef {
  readonly type: string;
  readonly id: string;
}

/** An attribute an object sends: bytes, a reference to another object (sent as its handle), or null (zero-length). */
export interface Attribute {
  readonly name: string;
  readonly value: Uint8Array | ObjectRef | null;
}

export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly result: number; readonly message?: string };

/** What the session knows about the peer, for the provider's logs and permission checks. */
export interface RequestContext {
  /** The key that signed the request, when it was signed. */
  readonly keyName?: string;
  /** "address:port" of the peer, when the shell knows it. */
  readonly peer?: string;
}

export interface ObjectProvider {
  /** Whether `type` names a type of object this provider has (ISC: an entry in omapi_object_types). */
  hasType(type: string): boolean;
  /**
   * Finds the object the values designate (ISC's type->lookup). ISC_R_NOTFOUND when nothing matches,
   * DHCP_R_NOKEYS when no value is a key of the type, other codes for other failures.
   */
  lookup(
    type: string,
    keys: readonly NameValue[],
    ctx: RequestContext,
  ): Outcome<ObjectRef> | Promise<Outcome<ObjectRef>>;
  /**
   * Creates an object of `type` with `values` (ISC: omapi_object_create then omapi_object_update, done here as
   * one step so that a provider can refuse an incomplete object and never half-create one).
   */
  create(
    type: string,
    values: readonly NameValue[],
    ctx: RequestContext,
  ): Outcome<ObjectRef> | Promise<Outcome<ObjectRef>>;
  /** Sets `values` on the object (ISC: omapi_object_update). */
  update(ref: ObjectRef, values: readonly NameValue[], ctx: RequestContext): Outcome<void> | Promise<Outcome<void>>;
  /** The object's published values (ISC: stuff_values); ISC_R_NOTFOUND when it no longer exists. */
  read(ref: ObjectRef, ctx: RequestContext): Outcome<readonly Attribute[]> | Promise<Outcome<readonly Attribute[]>>;
  /** Removes the object (ISC: type->remove); ISC_R_NOTIMPLEMENTED for types that cannot be removed. */
  remove(ref: ObjectRef, ctx: RequestContext): Outcome<void> | Promise<Outcome<void>>;
}

export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function fail(result: number, message?: string): Outcome<never> {
  return message === undefined ? { ok: false, result } : { ok: false, result, message };
}

export function isObjectRef(v: Attribute['value']): v is ObjectRef {
  return v !== null && !(v instanceof Uint8Array);
}
