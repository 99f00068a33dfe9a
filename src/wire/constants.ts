// Fixed layout of the BOOTP/DHCP message (RFC 951, RFC 2131 section 2) and the few option codes the
// wire layer itself interprets. Option names and types belong to the catalogue in src/options/.

export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;

export const SERVER_PORT = 67;
export const CLIENT_PORT = 68;

/** The broadcast bit of the `flags` field (RFC 2131 section 2, figure 2). */
export const FLAG_BROADCAST = 0x8000;

export const OFFSET = {
  op: 0,
  htype: 1,
  hlen: 2,
  hops: 3,
  xid: 4,
  secs: 8,
  flags: 10,
  ciaddr: 12,
  yiaddr: 16,
  siaddr: 20,
  giaddr: 24,
  chaddr: 28,
  sname: 44,
  file: 108,
  cookie: 236,
  options: 240,
} as const;

export const CHADDR_SIZE = 16;
export const SNAME_SIZE = 64;
export const FILE_SIZE = 128;

/** Everything before the vendor/options area. */
export const BOOTP_HEADER_SIZE = 236;
/** RFC 951 messages are 300 bytes: the header plus a 64-byte vendor area. Replies are padded to it. */
export const BOOTP_MIN_SIZE = 300;
export const BOOTP_VENDOR_SIZE = 64;

/** 99.130.83.99 (RFC 1497/2132 section 2). */
export const MAGIC_COOKIE = 0x63825363;

/**
 * Every DHCP agent must accept an IP datagram of 576 bytes (RFC 2131 section 2; RFC 2132 section 9.10
 * makes it the smallest legal option 57). Option 57 counts the IP and UDP headers, as ISC dhcpd does.
 */
export const MIN_DATAGRAM_SIZE = 576;
export const IP_UDP_OVERHEAD = 28;
export const MAX_DATAGRAM_SIZE = 65535;

export const OPT_PAD = 0;
export const OPT_END = 255;
export const OPT_OVERLOAD = 52;
export const OPT_MESSAGE_TYPE = 53;
export const OPT_MAX_MESSAGE_SIZE = 57;
export const OPT_RELAY_AGENT_INFO = 82;

/** Option 52 values (RFC 2132 section 9.3): which header fields carry options. */
export const OVERLOAD_FILE = 1;
export const OVERLOAD_SNAME = 2;
export const OVERLOAD_BOTH = 3;
export type Overload = 0 | 1 | 2 | 3;
