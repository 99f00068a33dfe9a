// Hand assembly of BOOTP/DHCP bytes for tests, independent of src/wire/encode.ts.

export interface RawParts {
  op?: number;
  hlen?: number;
  chaddr?: number[];
  sname?: number[];
  file?: number[];
  /** Bytes after the header; the cookie is prepended unless `cookie` is false. */
  options?: number[];
  cookie?: boolean;
  /** Pad with zeros to this size. */
  padTo?: number;
}

export function rawMessage(p: RawParts): Uint8Array {
  const bytes: number[] = new Array(236).fill(0);
  bytes[0] = p.op ?? 1;
  bytes[1] = 1;
  bytes[2] = p.hlen ?? 6;
  bytes[4] = 0x12;
  bytes[5] = 0x34;
  bytes[6] = 0x56;
  bytes[7] = 0x78;
  (p.chaddr ?? [2, 0, 0, 0, 0, 1]).forEach((b, i) => {
    bytes[28 + i] = b;
  });
  (p.sname ?? []).forEach((b, i) => {
    bytes[44 + i] = b;
  });
  (p.file ?? []).forEach((b, i) => {
    bytes[108 + i] = b;
  });
  if (p.cookie ?? true) bytes.push(99, 130, 83, 99);
  bytes.push(...(p.options ?? []));
  while (bytes.length < (p.padTo ?? 0)) bytes.push(0);
  return new Uint8Array(bytes);
}

export function ascii(text: string): number[] {
  return [...Buffer.from(text, 'latin1')];
}
