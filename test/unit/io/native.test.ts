import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { describeIoError, errnoCode, isPrivilegeError } from '../../../src/io/errors.js';
import {
  defaultAddonPaths,
  loadNative,
  loadNativeFrom,
  NATIVE_ABI_VERSION,
  requireNative,
} from '../../../src/io/native.js';
import { isPacketIoAvailable } from '../../../src/io/packet-socket.js';
import { errnoError } from './fake-addon.js';

const dir = mkdtempSync(join(tmpdir(), 'lh-native-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function moduleFile(name: string, body: string): string {
  const path = join(dir, `${name}.cjs`);
  writeFileSync(path, body);
  return path;
}

const ALL = 'packetOpen,packetSend,icmpOpen,icmpSend,close,setRef,udpOpen,udpSend,udpClose'
  .split(',')
  .map((f) => `exports.${f} = () => {};`)
  .join('\n');

test('a missing addon gives a reason, never a throw', () => {
  const load = loadNativeFrom(join(dir, 'absent.node'));
  assert.equal(load.ok, false);
  assert.match(load.ok ? '' : load.reason, /not built .*npm run build:native/);
  assert.throws(() => requireNative(load), { code: 'ERR_LEASEHOLD_NATIVE_UNAVAILABLE' });
  const availability = isPacketIoAvailable('lo', load);
  assert.equal(availability.available, false);
  assert.equal(availability.available ? '' : availability.code, 'ERR_LEASEHOLD_NATIVE_UNAVAILABLE');
});

test('a stale, broken or foreign module is refused with a reason', () => {
  const stale = loadNativeFrom(moduleFile('stale', `${ALL}\nexports.abiVersion = ${NATIVE_ABI_VERSION + 1};`));
  assert.match(stale.ok ? '' : stale.reason, /stale build/);
  const throwing = loadNativeFrom(moduleFile('throwing', 'throw new Error("boom");'));
  assert.match(throwing.ok ? '' : throwing.reason, /failed to load: boom/);
  const foreign = loadNativeFrom(moduleFile('foreign', 'exports.abiVersion = 1;'));
  assert.match(foreign.ok ? '' : foreign.reason, /lacks the expected functions/);
  const good = loadNativeFrom(moduleFile('good', `${ALL}\nexports.abiVersion = ${NATIVE_ABI_VERSION};`));
  assert.equal(good.ok, true);
});

test('the built addon loads from its default place with the expected ABI', (t) => {
  if (!defaultAddonPaths().some((p) => existsSync(p))) return t.skip('addon not built (npm run build:native)');
  const load = loadNative();
  assert.equal(load.ok, true, load.ok ? '' : load.reason);
  assert.equal(requireNative(load).abiVersion, NATIVE_ABI_VERSION);
  assert.equal(loadNative(), load, 'loaded once per process');
});

test('the built addon validates its arguments without touching the network', (t) => {
  const load = loadNative();
  if (!load.ok) return t.skip(load.reason);
  const { addon } = load;
  const cb = () => {};
  assert.throws(() => addon.packetOpen(1 as unknown as string, 0x800, Buffer.alloc(8), cb), TypeError);
  assert.throws(() => addon.packetOpen('lo', 0x800, Buffer.alloc(7), cb), { code: 'EINVAL' });
  assert.throws(() => addon.packetOpen('x'.repeat(16), 0x800, Buffer.alloc(8), cb), { code: 'ENODEV' });
  assert.throws(() => addon.close({} as never), TypeError, 'a foreign object is not a handle');
  assert.throws(() => addon.icmpOpen('', 3 as 0, cb), TypeError);
  assert.throws(() => addon.udpOpen(0, 0), TypeError, 'port 0');
  assert.throws(() => addon.udpOpen(70000, 0), TypeError);
  assert.throws(
    () => addon.udpSend({} as never, Buffer.alloc(1), 1, 68),
    TypeError,
    'a foreign object is not a handle',
  );
  assert.throws(() => addon.udpClose({} as never), TypeError);
});

test('errno errors map to reasons for the UDP fallback', () => {
  assert.equal(errnoCode(errnoError('EPERM')), 'EPERM');
  assert.equal(errnoCode('EPERM'), undefined);
  assert.equal(errnoCode({ code: 5 }), undefined);
  assert.equal(isPrivilegeError(errnoError('EACCES')), true);
  assert.equal(isPrivilegeError(errnoError('ENODEV')), false);
  assert.equal(
    describeIoError(errnoError('EPERM')),
    'raw packet sockets need root or CAP_NET_RAW (socket EPERM: fake)',
  );
  assert.match(describeIoError(errnoError('ENODEV', 'if_nametoindex')), /^no such network interface/);
  assert.equal(describeIoError(errnoError('EWHATEVER')), 'socket EWHATEVER: fake');
  assert.equal(describeIoError('plain'), 'plain');
});
