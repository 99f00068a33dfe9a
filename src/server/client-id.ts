// Who a client is, for lease lookup: its client identifier (option 61) when it sends one, else its
// hardware address (RFC 2131 section 4.2, ISC find_lease). The allocator compares the octets; the
// hex keys serve Maps of the configuration (hosts by uid) and are made only when asked for.

import type { DhcpMessage } from '../wire/index.js';
import { hardwareAddress } from '../wire/index.js';

export const OPT_CLIENT_IDENTIFIER = 61;

export interface HardwareAddress {
  type: number;
  address: Uint8Array;
}

export interface ClientIdentity {
  uid: Uint8Array | undefined;
  hardware: HardwareAddress;
  /** Hex of the client identifier, undefined when the client sent none. */
  uidKey: string | undefined;
  /** `htype/hex` of chaddr. */
  hwKey: string;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function uidKeyOf(uid: Uint8Array | undefined): string | undefined {
  return uid === undefined || uid.length === 0 ? undefined : hex(uid);
}

export function hwKeyOf(hw: HardwareAddress | undefined): string | undefined {
  return hw === undefined || hw.address.length === 0 ? undefined : `${hw.type}/${hex(hw.address)}`;
}

/** A request's identity; the hex keys are computed on first use (most requests need neither). */
class RequestIdentity implements ClientIdentity {
  private uidText: string | undefined | null = null;
  private hwText: string | null = null;

  constructor(
    readonly uid: Uint8Array | undefined,
    readonly hardware: HardwareAddress,
  ) {}

  get uidKey(): string | undefined {
    if (this.uidText === null) this.uidText = uidKeyOf(this.uid);
    return this.uidText;
  }

  get hwKey(): string {
    if (this.hwText === null) this.hwText = hwKeyOf(this.hardware) ?? `${this.hardware.type}/`;
    return this.hwText;
  }
}

export function clientIdentity(message: DhcpMessage): ClientIdentity {
  const raw = message.options.get(OPT_CLIENT_IDENTIFIER);
  const uid = raw !== undefined && raw.length > 0 ? Uint8Array.from(raw) : undefined;
  // Copy: the decoded message may be a view of a reused receive buffer.
  const hardware = { type: message.htype, address: Uint8Array.from(hardwareAddress(message)) };
  return new RequestIdentity(uid, hardware);
}
