// ISC's class billing (server/class.c bill_class, unbill_class): a class with `lease limit N` (and each
// subclass of it, declared or spawned, with the same N) may hold N leases at once. Which lease is billed
// to which class lives here, by slot; the lease file carries it as ISC writes it (`billing class
// "NAME";`, `billing subclass "NAME" KEY;`) and a restart bills the leases again.

/** A class (or subclass: its class's name and selector) leases are billed to. */
export interface BilledClass {
  readonly name: string;
  /** The subclass selector (hex of its bytes), for a subclass. */
  readonly subclassKey?: string | undefined;
}

function keyOf(c: BilledClass): string {
  return c.subclassKey === undefined ? c.name : `${c.name}\u0000${c.subclassKey}`;
}

export class Billing {
  private readonly bySlot = new Map<number, BilledClass>();
  private readonly consumed = new Map<string, number>();

  billedTo(slot: number): BilledClass | undefined {
    return this.bySlot.size === 0 ? undefined : this.bySlot.get(slot);
  }

  /** Bills `slot` to `c` unless `limit` leases already are (ISC bill_class); true when billed. */
  bill(slot: number, c: BilledClass, limit: number): boolean {
    this.unbill(slot);
    const key = keyOf(c);
    const n = this.consumed.get(key) ?? 0;
    if (n >= limit) return false;
    this.consumed.set(key, n + 1);
    this.bySlot.set(slot, c);
    return true;
  }

  unbill(slot: number): void {
    if (this.bySlot.size === 0) return;
    const c = this.bySlot.get(slot);
    if (c === undefined) return;
    this.bySlot.delete(slot);
    const key = keyOf(c);
    const n = (this.consumed.get(key) ?? 1) - 1;
    if (n > 0) this.consumed.set(key, n);
    else this.consumed.delete(key);
  }

  /** Leases billed to `c` now. */
  count(c: BilledClass): number {
    return this.consumed.get(keyOf(c)) ?? 0;
  }

  /** The lease file line for a billed slot (ISC write_billing_class and print_hash_string). */
  text(slot: number): string | undefined {
    const c = this.billedTo(slot);
    if (c === undefined) return undefined;
    if (c.subclassKey === undefined) return `billing class "${c.name}";`;
    return `billing subclass "${c.name}" ${selectorText(Buffer.from(c.subclassKey, 'hex'))};`;
  }
}

/** ISC print_hash_string: printable ASCII quoted, anything else as colon hex. */
function selectorText(b: Uint8Array): string {
  if (b.every((x) => x >= 0x20 && x < 0x7f)) return `"${Buffer.from(b).toString('latin1')}"`;
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

const BILLING_CLASS = /^billing class "((?:[^"\\]|\\.)*)";$/;
const BILLING_SUBCLASS = /^billing subclass "((?:[^"\\]|\\.)*)" (.+);$/;

/** The class a lease file's `billing ...;` line names (as the lease reader keeps it), or undefined. */
export function parseBillingLine(line: string): BilledClass | undefined {
  const c = BILLING_CLASS.exec(line);
  if (c !== null) return { name: c[1]! };
  const s = BILLING_SUBCLASS.exec(line);
  if (s === null) return undefined;
  const sel = s[2]!;
  let bytes: Buffer;
  if (sel.startsWith('"') && sel.endsWith('"')) bytes = Buffer.from(sel.slice(1, -1), 'latin1');
  else if (/^[0-9a-f]{1,2}(:[0-9a-f]{1,2})*$/i.test(sel))
    bytes = Buffer.from(sel.split(':').map((h) => Number.parseInt(h, 16)));
  else return undefined;
  return { name: s[1]!, subclassKey: bytes.toString('hex') };
}
