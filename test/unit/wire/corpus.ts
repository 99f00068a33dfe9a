// Starting points for mutation: every fixture plus encoder output exercising overload and RFC 3396.

import { encodeMessage } from '../../../src/wire/encode.js';
import { textField } from '../../../src/wire/message.js';
import { fixtureNames, loadFixture, SEED_PAYLOAD_OFFSET } from './fixtures.js';

export interface Corpus {
  /** BOOTP/DHCP payloads. */
  messages: Uint8Array[];
  /** Ethernet frames. */
  frames: Uint8Array[];
}

export function buildCorpus(): Corpus {
  const messages: Uint8Array[] = [];
  const frames: Uint8Array[] = [];
  for (const name of fixtureNames()) {
    const bytes = loadFixture(name);
    if (name.startsWith('seed004-')) {
      frames.push(bytes);
      messages.push(bytes.subarray(SEED_PAYLOAD_OFFSET));
    } else {
      messages.push(bytes);
    }
  }
  const fill = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);
  const chaddr = new Uint8Array([2, 0, 0, 0, 0, 9]);
  const options: [number, Uint8Array][] = [
    [53, new Uint8Array([5])],
    [43, fill(250, 0x41)],
    [77, fill(100, 0x42)],
    [82, new Uint8Array([1, 4, 0x65, 0x74, 0x68, 0x30, 5, 4, 198, 51, 100, 0, 11, 4, 192, 0, 2, 1])],
    [121, fill(700, 0x18)],
  ];
  messages.push(encodeMessage({ op: 2, chaddr, options }).bytes);
  messages.push(encodeMessage({ op: 2, chaddr, options }, { maxMessageSize: 1500 }).bytes);
  messages.push(encodeMessage({ op: 1, chaddr, options: options.slice(0, 2) }, { minSize: 0 }).bytes);
  // file holds a boot file name, so only sname can take the overflow (option 52 = 2).
  messages.push(
    encodeMessage({ op: 2, chaddr, file: textField('pxelinux.0', 128), options: options.slice(0, 3) }).bytes,
  );
  return { messages: messages.map((m) => new Uint8Array(m)), frames };
}
