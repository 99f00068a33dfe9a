// The option spaces ISC DHCP 4.4.3 predefines, with the code and length widths of their sub-options (ISC's
// tag_size and length_size in initialize_common_option_spaces and initialize_server_option_spaces).
import type { StandardOption } from './isc-format.js';
import { DHCP_OPTIONS } from './standard-dhcp.js';
import { DHCP6_OPTIONS, ISC6_OPTIONS, VSIO_OPTIONS } from './standard-dhcp6.js';
import { SERVER_OPTIONS } from './standard-server.js';
import {
  AGENT_OPTIONS,
  FQDN_OPTIONS,
  ISC_OPTIONS,
  NWIP_OPTIONS,
  VENDOR_CLASS_OPTIONS,
  VENDOR_OPTIONS,
} from './standard-suboptions.js';
import type { OptionSpace } from './types.js';

export interface StandardSpace {
  space: OptionSpace;
  options: readonly StandardOption[];
}

const space = (name: string, codeWidth: 1 | 2 | 4, lengthWidth: 0 | 1 | 2, options: readonly StandardOption[]) => ({
  space: { name, codeWidth, lengthWidth },
  options,
});

export const STANDARD_SPACES: readonly StandardSpace[] = [
  space('dhcp', 1, 1, DHCP_OPTIONS),
  space('nwip', 1, 1, NWIP_OPTIONS),
  // Not a wire space: option 81's fixed fields presented as sub-options (see fqdn.ts).
  space('fqdn', 1, 1, FQDN_OPTIONS),
  space('vendor-class', 4, 1, VENDOR_CLASS_OPTIONS),
  space('vendor', 4, 1, VENDOR_OPTIONS),
  space('isc', 2, 2, ISC_OPTIONS),
  space('dhcp6', 2, 2, DHCP6_OPTIONS),
  // Length width 0: one enterprise per block, whose data runs to the end.
  space('vsio', 4, 0, VSIO_OPTIONS),
  space('isc6', 4, 0, ISC6_OPTIONS),
  space('agent', 1, 1, AGENT_OPTIONS),
  // dhcpd.conf parameters; ISC never puts this space on the wire (its tag size 4 is nominal).
  space('server', 4, 1, SERVER_OPTIONS),
];

/** Spaces whose block is not a sequence of code/length/data sub-options, but a structure decoded by hand. */
export const VIRTUAL_SPACES: ReadonlySet<string> = new Set(['fqdn']);
