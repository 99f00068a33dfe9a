// A growable octet buffer for encoding: one allocation for most options, doubling when a value is larger.

export class Writer {
  buf: Uint8Array;
  len = 0;

  constructor(initial = 64) {
    this.buf = new Uint8Array(initial);
  }

  /** Makes room for n more octets; afterwards buf[len..len+n) may be written directly. */
  ensure(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf[this.len++] = v >>> 8;
    this.buf[this.len++] = v & 0xff;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf[this.len++] = v >>> 24;
    this.buf[this.len++] = (v >>> 16) & 0xff;
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** Writes `v` as an unsigned big-endian integer of `width` octets (1, 2 or 4). */
  uint(v: number, width: 1 | 2 | 4): void {
    if (width === 1) this.u8(v);
    else if (width === 2) this.u16(v);
    else this.u32(v);
  }

  /** The octets written so far (a view, trimmed to length). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}
