// sd_notify(3) for systemd's Type=notify: the server tells the service manager when it serves (READY=1), when a
// reload starts and ends (RELOADING=1 … READY=1) and when it stops (STOPPING=1), by one datagram to the unix
// socket named in NOTIFY_SOCKET. Without NOTIFY_SOCKET (not started by systemd, or by a unit of another Type)
// every call is a no-op that returns false, so callers need no "are we under systemd" test of their own.
//
// Node has no unix datagram socket: the datagram goes through the native addon's unixDgramSend (see
// native/src/unixdgram.c), which syslog.ts uses too. It never blocks and never throws past this file: a failed
// notification returns false (and says why through onError), and the server keeps serving.
//
// NOTIFY_SOCKET is left in the environment: a reload and the shutdown notify later, and programs the server
// starts cannot notify in its name (systemd's default NotifyAccess=main accepts only the main PID).

import { loadNative, type NativeLoad } from './native.js';

/** Sends each buffer as one datagram to a unix socket path ('@name': abstract); returns how many were sent. */
export type UnixDgramSend = (path: string, data: Buffer | readonly Buffer[]) => number;

export type UnixDgramSender = { ok: true; send: UnixDgramSend } | { ok: false; reason: string };

/** The addon's unixDgramSend, or why there is none (no addon, another OS, a build older than the function). */
export function unixDgramSender(load: NativeLoad = loadNative()): UnixDgramSender {
  if (!load.ok) return { ok: false, reason: load.reason };
  const addon = load.addon as unknown as { unixDgramSend?: unknown };
  const fn = addon.unixDgramSend;
  if (typeof fn !== 'function') {
    return {
      ok: false,
      reason: `native addon at ${load.path} has no unixDgramSend: stale build, run npm run build:native`,
    };
  }
  return { ok: true, send: (path, data) => fn.call(addon, path, data) as number };
}

export interface NotifyOptions {
  /** Where NOTIFY_SOCKET is read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The datagram sender (default: the native addon's). */
  send?: UnixDgramSend;
  /** Told why a notification could not be sent (the socket is set but unusable). */
  onError?: (message: string) => void;
}

/** The socket systemd asked us to notify, or undefined: only paths and abstract names (vsock: is not supported). */
export function notifySocket(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const socket = env.NOTIFY_SOCKET;
  if (socket === undefined || socket.length < 2) return undefined;
  return socket.startsWith('/') || socket.startsWith('@') ? socket : undefined;
}

/**
 * Sends `state` (newline-separated assignments, e.g. "READY=1\nSTATUS=Serving eth0") to NOTIFY_SOCKET.
 * Returns true when it was sent; false without NOTIFY_SOCKET or when sending failed.
 */
export function notify(state: string, options: NotifyOptions = {}): boolean {
  const env = options.env ?? process.env;
  const socket = notifySocket(env);
  if (socket === undefined) {
    if (env.NOTIFY_SOCKET) options.onError?.(`sd_notify: unsupported NOTIFY_SOCKET ${env.NOTIFY_SOCKET}`);
    return false;
  }
  let send = options.send;
  if (send === undefined) {
    const sender = unixDgramSender();
    if (!sender.ok) {
      options.onError?.(`sd_notify: ${sender.reason}`);
      return false;
    }
    send = sender.send;
  }
  try {
    // 0: the receiver's queue was full (the send never waits for room).
    if (send(socket, Buffer.from(state, 'utf8')) === 1) return true;
    options.onError?.(`sd_notify: ${socket} is not accepting datagrams (queue full)`);
  } catch (e) {
    options.onError?.(`sd_notify: ${e instanceof Error ? e.message : String(e)}`);
  }
  return false;
}

/** "STATUS=…" lines must be one line: newlines in a status would start new assignments. */
function statusLine(status: string | undefined): string {
  return status === undefined ? '' : `\nSTATUS=${status.replace(/[\r\n]+/g, ' ')}`;
}

/** The server serves (after start-up, and again after a reload, whatever its outcome). */
export function notifyReady(status?: string, options?: NotifyOptions): boolean {
  return notify(`READY=1${statusLine(status)}`, options);
}

/**
 * A reload begins; send notifyReady() when it is over (applied or refused). MONOTONIC_USEC is CLOCK_MONOTONIC
 * (libuv's hrtime), which Type=notify-reload (systemd 253+) requires and older versions ignore.
 */
export function notifyReloading(status?: string, options?: NotifyOptions): boolean {
  const usec = process.hrtime.bigint() / 1000n;
  return notify(`RELOADING=1\nMONOTONIC_USEC=${usec}${statusLine(status)}`, options);
}

/** Shutdown begins (before the lease file is flushed and the sockets closed). */
export function notifyStopping(status?: string, options?: NotifyOptions): boolean {
  return notify(`STOPPING=1${statusLine(status)}`, options);
}

/** A free-form status shown by `systemctl status`. */
export function notifyStatus(status: string, options?: NotifyOptions): boolean {
  return notify(statusLine(status).slice(1), options);
}
