// Loads the hex fixtures of test/fixtures/wire/ (from dist/test/unit/wire/ or test/unit/wire/).

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hexToBytes } from '../../../src/wire/hex.js';

const here = fileURLToPath(new URL('.', import.meta.url));
export const FIXTURE_DIR = here.includes('/dist/')
  ? fileURLToPath(new URL('../../../../test/fixtures/wire/', import.meta.url))
  : fileURLToPath(new URL('../../fixtures/wire/', import.meta.url));

export function loadFixture(name: string): Uint8Array {
  const bytes = hexToBytes(readFileSync(`${FIXTURE_DIR}${name}.hex`, 'utf8'));
  if (bytes === undefined) throw new Error(`fixture ${name}.hex is not valid hex`);
  return bytes;
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.hex'))
    .map((f) => f.slice(0, -4))
    .sort();
}

/** Hex literal -> bytes, for expectations written as Wireshark prints them. */
export function hex(text: string): Uint8Array {
  const bytes = hexToBytes(text);
  if (bytes === undefined) throw new Error(`bad hex literal ${text}`);
  return bytes;
}

/** The BOOTP payload of a seed frame (Ethernet 14 + IPv4 20 + UDP 8). */
export const SEED_PAYLOAD_OFFSET = 42;
