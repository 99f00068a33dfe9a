// What goes into the client engine and what comes out. The engine owns no socket, file, process or timer:
// the daemon feeds it events and carries out its actions in order.
import type { DhcpMessage, OutgoingMessage } from '../wire/index.js';
import type { ClientLease } from './lease.js';
import type { ScriptReason } from './script-env.js';

export type ClientState =
  | 'INIT'
  | 'SELECTING'
  | 'REQUESTING'
  | 'BOUND'
  | 'RENEWING'
  | 'REBINDING'
  | 'INIT-REBOOT'
  | 'REBOOTING'
  | 'STOPPED';

export type ClientEvent =
  /** Begin: PREINIT, then INIT-REBOOT with the saved lease if it is still valid, else INIT. */
  | { kind: 'start'; active?: ClientLease; fallbacks?: readonly ClientLease[] }
  /** The timer last set by a `timer` action has fired. */
  | { kind: 'timer' }
  /** A decoded DHCP message for this interface; `from` is the IP source address (reject lists match it). */
  | { kind: 'message'; message: DhcpMessage; from?: number }
  /** Answer to a `probe` action: whether another host answered for the address (ARP). */
  | { kind: 'probe-result'; address: number; inUse: boolean }
  /** Exit status of the script of a `script` action with `wait: true` (negative: killed by a signal). */
  | { kind: 'script-exit'; status: number }
  /** The link came up or went down (a new network may mean a new lease: INIT-REBOOT when it comes up). */
  | { kind: 'link'; up: boolean }
  /** `dhclient -r`: DHCPRELEASE, RELEASE script, stop. */
  | { kind: 'release' }
  /** `dhclient -x`: STOP script, stop without releasing. */
  | { kind: 'stop' }
  /**
   * OMAPI `control` state 3 (ISC server_hibernate → state_stop): timers cancelled, STOP script for the lease in
   * use, nothing sent; the client stays, idle (messages and timers ignored) until `resume`.
   */
  | { kind: 'pause' }
  /** OMAPI `control` state 4 (server_awaken → state_reboot): INIT-REBOOT with the lease in use, else INIT. */
  | { kind: 'resume' }
  /**
   * OMAPI `control` state 2 (server_shutdown): do_release when the lease in use has not expired (DHCPRELEASE,
   * RELEASE script), then stop; without one, stop with no script.
   */
  | { kind: 'shutdown' };

export type TimerPurpose = 'reboot' | 'init' | 'discover' | 'select' | 'request' | 'renew';

export type ClientAction =
  /**
   * Send a message. `to` is 255.255.255.255 (broadcast on the interface, from 0.0.0.0 through the packet
   * socket) or a server's address (unicast from `from`, the leased address, through an ordinary UDP socket
   * so the kernel's routes and ARP apply).
   */
  | { kind: 'send'; type: number; message: OutgoingMessage; to: number; from: number }
  /** Replace the pending timer (there is at most one) with one firing at `at` (milliseconds, the clock's). */
  | { kind: 'timer'; at: number; purpose: TimerPurpose }
  | { kind: 'cancel-timer' }
  /**
   * Run the script. With `wait`, the engine waits for a `script-exit` event: a BOUND/RENEW/REBIND/REBOOT
   * script that exits non-zero makes the client decline the lease, a TIMEOUT script that exits non-zero makes
   * it try the next saved lease (dhclient-script(8)).
   */
  | { kind: 'script'; reason: ScriptReason; env: Record<string, string>; wait: boolean }
  /** Check that nobody else uses the address (ARP); answer with `probe-result`. */
  | { kind: 'probe'; address: number }
  /** Append this lease to the lease file (ISC writes after each binding and on release). */
  | { kind: 'write-lease'; lease: ClientLease }
  | { kind: 'log'; level: 'info' | 'error'; message: string }
  /** The client has nothing more to do on this interface (released, stopped). */
  | { kind: 'stopped' }
  /** `-1` (try once) and no lease: exit with this status, as dhclient exits 2. */
  | { kind: 'exit'; code: number };
