// Turns the addon's errno-style errors into the reasons shown when packet I/O is unavailable and the daemons fall
// back to UDP sockets (as ISC's dhcpd does on systems without a packet filter).

export function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

const REASONS: Readonly<Record<string, string>> = {
  EPERM: 'raw packet sockets need root or CAP_NET_RAW',
  EACCES: 'raw packet sockets need root or CAP_NET_RAW',
  EAFNOSUPPORT: 'the kernel has no AF_PACKET support',
  EPROTONOSUPPORT: 'the kernel does not support this socket protocol',
  ENODEV: 'no such network interface',
  ENXIO: 'no such network interface',
  ENETDOWN: 'the network interface is down',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ERR_LEASEHOLD_NATIVE_UNAVAILABLE: 'the native packet addon is not available',
  ERR_LEASEHOLD_NOT_ETHERNET: 'the interface does not use Ethernet framing',
};

/** A one-line reason for logs: "<what it means> (<original message>)". */
export function describeIoError(err: unknown): string {
  const code = errnoCode(err);
  const message = err instanceof Error ? err.message : String(err);
  const meaning = code ? REASONS[code] : undefined;
  return meaning && meaning !== message ? `${meaning} (${message})` : message;
}

/** Whether the failure means "this process may not use raw sockets" rather than "this call was wrong". */
export function isPrivilegeError(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'EPERM' || code === 'EACCES';
}
