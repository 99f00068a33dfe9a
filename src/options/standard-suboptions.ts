// The small DHCPv4 sub-option spaces ISC DHCP 4.4.3 predefines: agent (option 82, server/stables.c), fqdn
// (option 81, a virtual space: see fqdn.ts), nwip (option 63), vendor-class and vendor (options 124/125,
// RFC 3925, keyed by enterprise number) and isc (ISC's own enterprise 2495).
import type { StandardOption } from './isc-format.js';

export const AGENT_OPTIONS: readonly StandardOption[] = [
  ['circuit-id', 1, 'X'],
  ['remote-id', 2, 'X'],
  ['agent-id', 3, 'I'],
  ['DOCSIS-device-class', 4, 'L'],
  ['link-selection', 5, 'I'],
  ['relay-port', 19, 'Z'],
];

export const FQDN_OPTIONS: readonly StandardOption[] = [
  ['no-client-update', 1, 'f'],
  ['server-update', 2, 'f'],
  ['encoded', 3, 'f'],
  ['rcode1', 4, 'B'],
  ['rcode2', 5, 'B'],
  ['hostname', 6, 't'],
  ['domainname', 7, 't'],
  ['fqdn', 8, 't'],
];

export const NWIP_OPTIONS: readonly StandardOption[] = [
  ['illegal-1', 1, ''],
  ['illegal-2', 2, ''],
  ['illegal-3', 3, ''],
  ['illegal-4', 4, ''],
  ['nsq-broadcast', 5, 'f'],
  ['preferred-dss', 6, 'IA'],
  ['nearest-nwip-server', 7, 'IA'],
  ['autoretries', 8, 'B'],
  ['autoretry-secs', 9, 'B'],
  ['nwip-1-1', 10, 'f'],
  ['primary-dss', 11, 'I'],
];

export const VENDOR_CLASS_OPTIONS: readonly StandardOption[] = [['isc', 2495, 'X']];

export const VENDOR_OPTIONS: readonly StandardOption[] = [['isc', 2495, 'Eisc.']];

export const ISC_OPTIONS: readonly StandardOption[] = [
  ['media', 1, 't'],
  ['update-assist', 2, 'X'],
];
