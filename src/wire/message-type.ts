// Values of option 53 (RFC 2132 section 9.6, RFC 3203, RFC 4388, RFC 6926, RFC 7724) and the names ISC
// prints in its logs ("DHCPDISCOVER from 00:16:36:51:5d:5a via eth0").

import { BOOTREQUEST, OPT_MESSAGE_TYPE } from './constants.js';

export const DHCPDISCOVER = 1;
export const DHCPOFFER = 2;
export const DHCPREQUEST = 3;
export const DHCPDECLINE = 4;
export const DHCPACK = 5;
export const DHCPNAK = 6;
export const DHCPRELEASE = 7;
export const DHCPINFORM = 8;
export const DHCPFORCERENEW = 9;
export const DHCPLEASEQUERY = 10;
export const DHCPLEASEUNASSIGNED = 11;
export const DHCPLEASEUNKNOWN = 12;
export const DHCPLEASEACTIVE = 13;
export const DHCPBULKLEASEQUERY = 14;
export const DHCPLEASEQUERYDONE = 15;
export const DHCPACTIVELEASEQUERY = 16;
export const DHCPLEASEQUERYSTATUS = 17;
export const DHCPTLS = 18;

const NAMES: readonly string[] = [
  '',
  'DHCPDISCOVER',
  'DHCPOFFER',
  'DHCPREQUEST',
  'DHCPDECLINE',
  'DHCPACK',
  'DHCPNAK',
  'DHCPRELEASE',
  'DHCPINFORM',
  'DHCPFORCERENEW',
  'DHCPLEASEQUERY',
  'DHCPLEASEUNASSIGNED',
  'DHCPLEASEUNKNOWN',
  'DHCPLEASEACTIVE',
  'DHCPBULKLEASEQUERY',
  'DHCPLEASEQUERYDONE',
  'DHCPACTIVELEASEQUERY',
  'DHCPLEASEQUERYSTATUS',
  'DHCPTLS',
];

export const MAX_MESSAGE_TYPE = NAMES.length - 1;

/** "DHCPDISCOVER" for 1; "DHCP message type 42" for values no RFC assigns. */
export function messageTypeName(type: number): string {
  return (type >= 1 && NAMES[type]) || `DHCP message type ${type}`;
}

/** The inverse of messageTypeName for the assigned names; undefined otherwise. */
export function messageTypeFromName(name: string): number | undefined {
  const i = NAMES.indexOf(name.toUpperCase());
  return i >= 1 ? i : undefined;
}

/** Option 53 when present with exactly one byte, else undefined (a BOOTP message, or a malformed one). */
export function getMessageType(options: ReadonlyMap<number, Uint8Array>): number | undefined {
  const data = options.get(OPT_MESSAGE_TYPE);
  return data?.length === 1 ? data[0] : undefined;
}

/** What ISC logs for a message: its DHCP type name, or BOOTREQUEST/BOOTREPLY for plain BOOTP. */
export function messageLabel(message: { op: number; options: ReadonlyMap<number, Uint8Array> }): string {
  const type = getMessageType(message.options);
  if (type !== undefined) return messageTypeName(type);
  return message.op === BOOTREQUEST ? 'BOOTREQUEST' : 'BOOTREPLY';
}
