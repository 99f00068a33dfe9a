// Loads native/build/Release/leasehold_native.node (built by `npm run build:native`). Loading never throws:
// callers get a reason instead, so a machine without the addon can fall back to UDP sockets.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Must equal LH_ABI_VERSION in native/src/lh.h; a mismatch means a stale build. */
export const NATIVE_ABI_VERSION = 2;

/** Opaque socket handle owned by the addon. */
export type NativeHandle = { readonly __leaseholdNativeHandle: unique symbol };

/** Called once per poll wakeup with up to 64 datagrams; `meta[i]` is tp_status (packet) or the source address
 * as a host-order uint32 (ICMP). `err` reports a socket error such as ENETDOWN; the socket stays open. */
export type NativeCallback = (err: NodeJS.ErrnoException | undefined, data: Buffer[], meta: number[]) => void;

export interface NativeAddon {
  readonly abiVersion: number;
  packetOpen(
    ifname: string,
    ethertype: number,
    filter: Buffer,
    cb: NativeCallback,
  ): { handle: NativeHandle; ifindex: number; hwtype: number; mac: Buffer };
  packetSend(handle: NativeHandle, frame: Buffer): number;
  /** mode: 0 = raw with dgram fallback, 1 = raw, 2 = dgram. */
  icmpOpen(ifname: string, mode: 0 | 1 | 2, cb: NativeCallback): { handle: NativeHandle; raw: boolean };
  icmpSend(handle: NativeHandle, address: string, message: Buffer): number;
  close(handle: NativeHandle): void;
  setRef(handle: NativeHandle, on: boolean): void;
  /** A UDP socket bound to address:port (host-order u32, 0 = any) that receives nothing (see native/src/udp.c). */
  udpOpen(port: number, address: number): NativeHandle;
  /** Synchronous, non-blocking sendto; throws the errno Error. */
  udpSend(handle: NativeHandle, payload: Buffer, address: number, port: number): number;
  udpClose(handle: NativeHandle): void;
}

export type NativeLoad = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string; path: string };

const FUNCTIONS = [
  'packetOpen',
  'packetSend',
  'icmpOpen',
  'icmpSend',
  'close',
  'setRef',
  'udpOpen',
  'udpSend',
  'udpClose',
] as const;
const RELATIVE = 'native/build/Release/leasehold_native.node';

/** Where the addon is looked for: the repository root seen from dist/src/io/ (compiled) or src/io/ (sources). */
export function defaultAddonPaths(): string[] {
  return ['../../../', '../../'].map((up) => fileURLToPath(new URL(up + RELATIVE, import.meta.url)));
}

export function loadNativeFrom(path: string): NativeLoad {
  if (process.platform !== 'linux')
    return { ok: false, path, reason: `packet I/O needs Linux, not ${process.platform}` };
  if (!existsSync(path))
    return { ok: false, path, reason: `native addon not built (${path}); run npm run build:native` };
  let mod: unknown;
  try {
    mod = createRequire(import.meta.url)(path);
  } catch (err) {
    return { ok: false, path, reason: `native addon failed to load: ${(err as Error).message}` };
  }
  const m = mod as Record<string, unknown> | null;
  if (!m || typeof m !== 'object' || FUNCTIONS.some((f) => typeof m[f] !== 'function')) {
    return { ok: false, path, reason: `native addon at ${path} lacks the expected functions` };
  }
  if (m.abiVersion !== NATIVE_ABI_VERSION) {
    return {
      ok: false,
      path,
      reason: `native addon ABI ${String(m.abiVersion)} != ${NATIVE_ABI_VERSION}: stale build, run npm run build:native`,
    };
  }
  return { ok: true, addon: m as unknown as NativeAddon, path };
}

let cached: NativeLoad | undefined;

/** The addon from its default location, loaded once per process. */
export function loadNative(): NativeLoad {
  if (cached) return cached;
  const paths = defaultAddonPaths();
  const found = paths.find((p) => existsSync(p)) ?? paths[0] ?? RELATIVE;
  cached = loadNativeFrom(found);
  return cached;
}

/** The addon, or an Error with code ERR_LEASEHOLD_NATIVE_UNAVAILABLE carrying the reason. */
export function requireNative(load: NativeLoad = loadNative()): NativeAddon {
  if (load.ok) return load.addon;
  throw Object.assign(new Error(load.reason), { code: 'ERR_LEASEHOLD_NATIVE_UNAVAILABLE' });
}
