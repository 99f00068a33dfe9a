// OMAPI message signing as ISC's omapip does it (omapip/protocol.c, buffer.c, connection.c, auth.c, isclib.c).
//
// - A key is `key NAME { algorithm hmac-md5; secret "base64"; }`: the secret is the base64-decoded bytes. An
//   algorithm written without a dot gets ".SIG-ALG.REG.INT." appended (both dhcpd.conf's parser and omshell's
//   dhcpctl_new_authenticator do this), and names are compared without regard to case. ISC compares the two
//   spellings exactly, so "hmac-md5.SIG-ALG.REG.INT" in dhcpd.conf never matches omshell's
//   "hmac-md5.SIG-ALG.REG.INT." - one reason keys "cannot work" with ISC; here a trailing dot does not matter.
// - Negotiation: the client opens an object of type "authenticator" with the values name and algorithm, unsigned
//   (authid 0). The server finds the key by name, checks the algorithm, checks (when `omapi-key` is set) that it
//   is that key, gives it a handle and answers with an unsigned update whose header handle is that handle and
//   whose object values are name and algorithm (never the secret). From then on the client puts that handle in
//   authid and signs every message; the server signs its answers with the same key and authid.
// - The signature is HMAC(secret, every byte of the message after authid up to the signature) - see wire.ts -
//   of the algorithm's full length (16 bytes for HMAC-MD5); authlen is that length.
// - A signed message whose authid names no authenticator of the connection is answered with status "zone TSIG
//   key not known" (DHCP_R_KEY_UNKNOWN), one whose signature differs with "invalid TSIG key" (DHCP_R_INVALIDKEY);
//   both answers are unsigned, and the message is not acted on.

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Signer } from './wire.js';

const SUFFIX = '.SIG-ALG.REG.INT.';

const DIGESTS: Record<string, { digest: string; length: number }> = {
  'HMAC-MD5': { digest: 'md5', length: 16 },
  'HMAC-SHA1': { digest: 'sha1', length: 20 },
  'HMAC-SHA224': { digest: 'sha224', length: 28 },
  'HMAC-SHA256': { digest: 'sha256', length: 32 },
  'HMAC-SHA384': { digest: 'sha384', length: 48 },
  'HMAC-SHA512': { digest: 'sha512', length: 64 },
};

export interface OmapiKey {
  /** The key's name, as in `key NAME { ... }` and omshell's `key NAME SECRET`. */
  readonly name: string;
  /** The algorithm as written ("hmac-md5") or in full ("HMAC-MD5.SIG-ALG.REG.INT."). */
  readonly algorithm: string;
  /** The secret: the bytes of the base64 in the configuration. */
  readonly secret: Uint8Array;
}

/** The algorithm name as ISC stores it: with ".SIG-ALG.REG.INT." appended when it has no dot. */
export function fullAlgorithmName(algorithm: string): string {
  return algorithm.includes('.') ? algorithm : `${algorithm}${SUFFIX}`;
}

function baseAlgorithm(algorithm: string): string {
  let full = fullAlgorithmName(algorithm).toUpperCase();
  if (full.endsWith('.')) full = full.slice(0, -1);
  const suffix = SUFFIX.slice(0, -1); // ".SIG-ALG.REG.INT"
  return full.endsWith(suffix) ? full.slice(0, -suffix.length) : full;
}

/** Whether two spellings name the same algorithm (case-insensitive, a trailing dot ignored). */
export function sameAlgorithm(a: string, b: string): boolean {
  return baseAlgorithm(a) === baseAlgorithm(b);
}

/** Whether the algorithm is one ISC's isclib_make_dst_key accepts (HMAC-MD5, -SHA1, -SHA224/256/384/512). */
export function supportedAlgorithm(algorithm: string): boolean {
  return DIGESTS[baseAlgorithm(algorithm)] !== undefined;
}

/** The signer for a key, or undefined when its algorithm is not supported. */
export function keySigner(key: OmapiKey): Signer | undefined {
  const d = DIGESTS[baseAlgorithm(key.algorithm)];
  if (!d) return undefined;
  const secret = Buffer.from(key.secret);
  return {
    length: d.length,
    sign: (data) => new Uint8Array(createHmac(d.digest, secret).update(data).digest()),
  };
}

/** Whether `signature` is the key's signature of `signed` (constant time; a length mismatch is a mismatch). */
export function verifySignature(key: OmapiKey, signed: Uint8Array, signature: Uint8Array): boolean {
  const signer = keySigner(key);
  if (!signer || signature.length !== signer.length) return false;
  return timingSafeEqual(signer.sign(signed), signature);
}

/** Decodes a base64 secret as ISC's parse_base64 would; undefined when it is not base64. */
export function secretFromBase64(text: string): Uint8Array | undefined {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return undefined;
  return new Uint8Array(Buffer.from(clean, 'base64'));
}

/** A set of keys by name (names compared as ISC's key hash does: case-insensitively). */
export class Keyring {
  private readonly byName = new Map<string, OmapiKey>();

  constructor(keys: Iterable<OmapiKey> = []) {
    for (const k of keys) this.byName.set(k.name.toLowerCase(), k);
  }

  get(name: string): OmapiKey | undefined {
    return this.byName.get(name.toLowerCase());
  }

  get size(): number {
    return this.byName.size;
  }
}
