import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import {
  fullAlgorithmName,
  Keyring,
  keySigner,
  sameAlgorithm,
  secretFromBase64,
  supportedAlgorithm,
  verifySignature,
} from '../../../src/omapi/auth.js';
import { decodeMessage, encodeMessage, OP, stringValue } from '../../../src/omapi/wire.js';
import { CAPTURE_KEY, OMSHELL_OPEN_LEASE_SIGNED } from './isc-capture.js';

const key = {
  name: CAPTURE_KEY.name,
  algorithm: CAPTURE_KEY.algorithm,
  secret: secretFromBase64(CAPTURE_KEY.secretBase64)!,
};

test("ISC's signature: omshell's signed open verifies, and is HMAC-MD5 of the bytes after authid", () => {
  const bytes = new Uint8Array(Buffer.from(OMSHELL_OPEN_LEASE_SIGNED, 'hex'));
  const r = decodeMessage(bytes, 0);
  assert.equal(r.kind, 'message');
  if (r.kind !== 'message') return;
  assert.equal(r.message.authid, 1);
  assert.equal(r.message.signature.length, 16);
  assert.ok(verifySignature(key, r.signed, r.message.signature));
  const expected = createHmac('md5', Buffer.from('secretsecretsecret'))
    .update(bytes.subarray(4, bytes.length - 16))
    .digest('hex');
  assert.equal(Buffer.from(r.message.signature).toString('hex'), expected);
  assert.equal(expected, 'e38f36424365d57df4070b5d51dceee0');
});

test('our signer reproduces omshell bytes for the same message', () => {
  const bytes = new Uint8Array(Buffer.from(OMSHELL_OPEN_LEASE_SIGNED, 'hex'));
  const r = decodeMessage(bytes, 0);
  if (r.kind !== 'message') throw new Error('decode');
  const m = r.message;
  const again = encodeMessage(
    { authid: m.authid, op: m.op, handle: m.handle, id: m.id, rid: m.rid, message: m.message, object: m.object },
    keySigner(key),
  );
  assert.equal(Buffer.from(again).toString('hex'), OMSHELL_OPEN_LEASE_SIGNED);
});

test('a changed byte, a wrong secret, a short signature: not verified', () => {
  const msg = encodeMessage(
    { authid: 1, op: OP.open, id: 3, message: [{ name: 'type', value: stringValue('host') }] },
    keySigner(key),
  );
  const r = decodeMessage(msg, 0);
  if (r.kind !== 'message') throw new Error('decode');
  assert.ok(verifySignature(key, r.signed, r.message.signature));
  const tampered = r.signed.slice();
  tampered[5]! ^= 1;
  assert.ok(!verifySignature(key, tampered, r.message.signature));
  assert.ok(!verifySignature({ ...key, secret: stringValue('other') }, r.signed, r.message.signature));
  assert.ok(!verifySignature(key, r.signed, r.message.signature.subarray(0, 15)));
});

test('algorithm names: the suffix, case, a trailing dot', () => {
  assert.equal(fullAlgorithmName('hmac-md5'), 'hmac-md5.SIG-ALG.REG.INT.');
  assert.equal(fullAlgorithmName('HMAC-MD5.SIG-ALG.REG.INT.'), 'HMAC-MD5.SIG-ALG.REG.INT.');
  assert.ok(sameAlgorithm('hmac-md5', 'hmac-md5.SIG-ALG.REG.INT.'));
  assert.ok(sameAlgorithm('HMAC-MD5.SIG-ALG.REG.INT', 'hmac-md5.sig-alg.reg.int.'));
  assert.ok(!sameAlgorithm('hmac-md5', 'hmac-sha256'));
  assert.ok(supportedAlgorithm('hmac-sha512'));
  assert.ok(!supportedAlgorithm('hmac-md4'));
  assert.equal(keySigner({ ...key, algorithm: 'hmac-sha256' })!.length, 32);
  assert.equal(keySigner({ ...key, algorithm: 'rsa' }), undefined);
});

test('keyring: names without regard to case; base64 secrets', () => {
  const ring = new Keyring([key]);
  assert.equal(ring.get('OMKEY'), key);
  assert.equal(ring.get('nope'), undefined);
  assert.equal(Buffer.from(secretFromBase64('c2VjcmV0c2VjcmV0c2VjcmV0')!).toString(), 'secretsecretsecret');
  assert.equal(secretFromBase64('not base64!'), undefined);
});
