import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DHCPACK,
  DHCPDISCOVER,
  DHCPFORCERENEW,
  DHCPLEASEACTIVE,
  DHCPTLS,
  getMessageType,
  MAX_MESSAGE_TYPE,
  messageLabel,
  messageTypeFromName,
  messageTypeName,
} from '../../../src/wire/message-type.js';

describe('message types', () => {
  it('names every assigned type as ISC logs it', () => {
    const expected = [
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
    assert.equal(MAX_MESSAGE_TYPE, 18);
    expected.forEach((name, i) => {
      assert.equal(messageTypeName(i + 1), name);
      assert.equal(messageTypeFromName(name), i + 1);
    });
    assert.equal(DHCPDISCOVER, 1);
    assert.equal(DHCPACK, 5);
    assert.equal(DHCPFORCERENEW, 9);
    assert.equal(DHCPLEASEACTIVE, 13);
    assert.equal(DHCPTLS, 18);
  });

  it('labels unassigned values without inventing names', () => {
    assert.equal(messageTypeName(0), 'DHCP message type 0');
    assert.equal(messageTypeName(19), 'DHCP message type 19');
    assert.equal(messageTypeFromName('DHCPFOO'), undefined);
    assert.equal(messageTypeFromName('dhcpack'), 5);
  });

  it('reads option 53 only when it is one byte', () => {
    assert.equal(getMessageType(new Map([[53, new Uint8Array([3])]])), 3);
    assert.equal(getMessageType(new Map([[53, new Uint8Array([3, 4])]])), undefined);
    assert.equal(getMessageType(new Map()), undefined);
  });

  it('labels BOOTP messages BOOTREQUEST/BOOTREPLY', () => {
    assert.equal(messageLabel({ op: 1, options: new Map() }), 'BOOTREQUEST');
    assert.equal(messageLabel({ op: 2, options: new Map() }), 'BOOTREPLY');
    assert.equal(messageLabel({ op: 1, options: new Map([[53, new Uint8Array([1])]]) }), 'DHCPDISCOVER');
  });
});
