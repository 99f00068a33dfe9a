// Bytes ISC's omshell (isc-dhcp-client 4.4.3-P1) sent and received, captured with a recording proxy between
// `omshell` and Leasehold's listener in a test namespace:
//   server 127.0.0.1 / port N / key omkey c2VjcmV0c2VjcmV0c2VjcmV0 / connect / new lease /
//   set ip-address = 192.0.2.10 / open
// The signed open was computed by ISC's library (omapip + bind's dst HMAC-MD5), so it pins down what is signed.

export const CAPTURE_KEY = { name: 'omkey', algorithm: 'hmac-md5', secretBase64: 'c2VjcmV0c2VjcmV0c2VjcmV0' };

/** omshell's introduction: version 100, header size 24. */
export const OMSHELL_INTRO = '0000006400000018';

/** omshell opening its authenticator: unsigned, type "authenticator", name and algorithm (with the suffix). */
export const OMSHELL_OPEN_AUTHENTICATOR =
  '000000000000000000000001000000006b8b4567000000000004747970650000000d61757468656e74696361746f72000000046e616d65' +
  '000000056f6d6b65790009616c676f726974686d00000019686d61632d6d64352e5349472d414c472e5245472e494e542e0000';

/** omshell opening lease 192.0.2.10, signed with the authenticator the server gave handle 1. */
export const OMSHELL_OPEN_LEASE_SIGNED =
  '000000010000001000000001000000006b8b456800000000000474797065000000056c656173650000000a69702d6164647265737300' +
  '000004c000020a0000e38f36424365d57df4070b5d51dceee0';
