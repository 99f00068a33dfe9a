// The client's Link replaces a packet socket that reported an error (its interface went down: the event loop
// stops polling it), at once, then every second while replacements fail too; frames go out on the new one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Link } from '../../../src/client/daemon-link.js';
import type { PacketSocket, PacketSocketOptions } from '../../../src/io/packet-socket.js';

interface Fake {
  sock: PacketSocket;
  opts: PacketSocketOptions;
  sent: number;
  closed: boolean;
}

function fakeOpener(fail: () => boolean) {
  const opened: Fake[] = [];
  const open = (opts: PacketSocketOptions): PacketSocket => {
    if (fail()) throw new Error('ENODEV: no such device');
    const f: Fake = { opts, sent: 0, closed: false, sock: undefined as unknown as PacketSocket };
    f.sock = {
      ifname: opts.ifname,
      ifindex: 2,
      mac: Buffer.from([2, 0, 0, 0, 0, 1]),
      get closed() {
        return f.closed;
      },
      send: () => {
        f.sent++;
      },
      close: () => {
        f.closed = true;
      },
      ref: () => {},
      unref: () => {},
    };
    opened.push(f);
    return f.sock;
  };
  return { opened, open };
}

const MESSAGE = {
  op: 1,
  htype: 1,
  hlen: 6,
  xid: 1,
  chaddr: new Uint8Array([2, 0, 0, 0, 0, 1]),
  options: [[53, new Uint8Array([1])]] as [number, Uint8Array][],
};

test('a packet socket that reports an error is replaced, then retried every second while that fails', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  let failing = false;
  const { opened, open } = fakeOpener(() => failing);
  const logs: string[] = [];
  const link = new Link({
    ifname: 'eth0',
    port: 68,
    onMessage: () => {},
    log: (_level, m) => logs.push(m),
    openPacketSocket: open as never,
  });
  assert.equal(await link.open(), undefined);
  assert.equal(opened.length, 1);

  // The interface went down: error -> replaced at once, the old socket closed.
  opened[0]!.opts.onError!(new Error('recvmsg EBADF: bad file descriptor'));
  t.mock.timers.tick(0);
  assert.equal(opened.length, 2);
  assert.ok(opened[0]!.closed);
  await link.send({ message: MESSAGE, to: 0xffffffff, from: 0 });
  assert.equal(opened[1]!.sent, 1, 'frames go out on the new socket');

  // The new one fails as well (still down), and reopening fails for a while: one try a second, one log line.
  opened[1]!.opts.onError!(new Error('recvmsg ENETDOWN: network is down'));
  failing = true;
  t.mock.timers.tick(999);
  assert.equal(opened.length, 2, 'not before a second has passed');
  t.mock.timers.tick(1);
  t.mock.timers.tick(1000);
  t.mock.timers.tick(1000);
  assert.equal(opened.length, 2);
  failing = false;
  t.mock.timers.tick(1000);
  assert.equal(opened.length, 3);
  assert.equal(logs.filter((l) => /ENETDOWN/.test(l)).length, 1);
  assert.equal(logs.filter((l) => /cannot reopen/.test(l)).length, 1, 'the same failure is logged once');

  // An error from a socket already replaced is ignored; repair() without an error does nothing.
  opened[0]!.opts.onError!(new Error('late'));
  link.repair();
  t.mock.timers.tick(5000);
  assert.equal(opened.length, 3);
  link.close();
  assert.ok(opened[2]!.closed);
});
