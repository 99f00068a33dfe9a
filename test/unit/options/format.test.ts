// Expected strings follow ISC's pretty_print_option (common/options.c): 'conf' is (emit_commas=1,
// emit_quotes=1) as in dhclient.leases, 'env' is (0, 0) as in dhclient-script's new_* variables.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Catalogue } from '../../../src/options/catalogue.js';
import { decodeOptionValue } from '../../../src/options/codec.js';
import { envVariableName, formatOptionValue } from '../../../src/options/format.js';
import type { OptionType, OptionValue } from '../../../src/options/types.js';
import { ascii, hex } from './helpers.js';

const cat = Catalogue.standard();
const typeOf = (qualified: string) => cat.resolve(qualified)?.type as OptionType;

function both(t: OptionType, v: OptionValue, conf: string, env: string): void {
  assert.equal(formatOptionValue(t, v, cat, 'conf'), conf);
  assert.equal(formatOptionValue(t, v, cat, 'env'), env);
}

describe('formatOptionValue', () => {
  it('separates array elements with a bare comma (conf) or a space (env)', () => {
    both(typeOf('routers'), ['17.72.133.42', '17.72.133.45'], '17.72.133.42,17.72.133.45', '17.72.133.42 17.72.133.45');
    both(typeOf('dhcp-parameter-request-list'), [1, 28, 2, 3], '1,28,2,3', '1 28 2 3');
    both(typeOf('routers'), [], '', '');
  });

  it('quotes and escapes text as pretty_text does', () => {
    both(typeOf('domain-name'), 'maison.mrs', '"maison.mrs"', 'maison.mrs');
    both(
      typeOf('host-name'),
      'a"b$c`d\\e|f&g\'h',
      '"a\\"b\\$c\\`d\\\\e\\|f\\&g\\\'h"',
      'a\\"b\\$c\\`d\\\\e\\|f\\&g\\\'h',
    );
    both(typeOf('host-name'), 'x\x01y\xe9', '"x\\001y\\351"', 'x\\001y\\351');
    both(typeOf('host-name'), 'host\0', '"host"', 'host');
    both(typeOf('host-name'), 'in\0side', '"in\\000side"', 'in\\000side');
  });

  it('prints data strings as text when printable, else as unpadded colon hex', () => {
    both(typeOf('dhcp-client-identifier'), ascii('CLIENT-FOO'), '"CLIENT-FOO"', 'CLIENT-FOO');
    both(typeOf('dhcp-client-identifier'), hex('01000c295d0a'), '1:0:c:29:5d:a', '1:0:c:29:5d:a');
    both(typeOf('dhcp-client-identifier'), ascii('foo\0'), '"foo"', 'foo');
    both(typeOf('dhcp-client-identifier'), new Uint8Array(0), '""', '');
  });

  it('prints domain lists quoted with root dots (conf) or as resolv.conf names (env)', () => {
    both(
      typeOf('domain-search'),
      ['example.com', 'sales.example.com'],
      '"example.com.", "sales.example.com."',
      'example.com. sales.example.com.',
    );
    both(typeOf('domain-search'), ['a\\.b.c'], '"a.b.c."', 'a\\.b.c.');
    both(typeOf('v4-lost'), 'booya.com', 'booya.com.', 'booya.com.');
  });

  it('prints flags, integers, lease times and enumerations', () => {
    both(typeOf('ip-forwarding'), true, 'true', 'true');
    both(typeOf('time-offset'), -3600, '-3600', '-3600');
    both(typeOf('server.default-lease-time'), 0xffffffff, 'infinite', 'infinite');
    both(typeOf('server.default-lease-time'), 600, '600', '600');
    both(typeOf('server.ddns-update-style'), 'interim', 'interim', 'interim');
    both(typeOf('server.ddns-update-style'), 2, 'interim', 'interim');
    both(typeOf('server.ddns-update-style'), 9, '9', '9');
    both(
      typeOf('dhcp6.name-servers'),
      ['2001:DB8::1', '::ffff:192.0.2.1'],
      '2001:db8::1,::ffff:192.0.2.1',
      '2001:db8::1 ::ffff:192.0.2.1',
    );
  });

  it('separates record fields with a space and leaves out trailing empty fields', () => {
    both(
      typeOf('slp-directory-agent'),
      [true, ['192.0.2.1', '192.0.2.2']],
      'true 192.0.2.1,192.0.2.2',
      'true 192.0.2.1 192.0.2.2',
    );
    both(typeOf('slp-service-scope'), [false, ''], 'false', 'false');
    both(typeOf('slp-service-scope'), [true, 'scope'], 'true "scope"', 'true scope');
    both(
      typeOf('static-routes'),
      [
        ['10.0.0.0', '10.0.0.1'],
        ['10.1.0.0', '10.1.0.1'],
      ],
      '10.0.0.0 10.0.0.1,10.1.0.0 10.1.0.1',
      '10.0.0.0 10.0.0.1 10.1.0.0 10.1.0.1',
    );
  });

  it('prints an encapsulation as its raw data, and a zero-length option as nothing', () => {
    both(typeOf('relay-agent-information'), [{ code: 1, value: ascii('eth0') }], '1:4:65:74:68:30', '1:4:65:74:68:30');
    both(typeOf('agent.circuit-id'), ascii('eth0'), '"eth0"', 'eth0');
    both(typeOf('agent.relay-port'), true, '', '');
  });

  it('prints option 121 as dhclient-script hooks read it, defined either way', () => {
    const octets = hex('18 c0a80a c0a80101  08 0a 0a114229');
    const debian = Catalogue.standard();
    debian.define({
      space: 'dhcp',
      name: 'rfc3442-classless-static-routes',
      code: 121,
      type: { kind: 'array', of: { kind: 'integer', bits: 8, signed: false } },
    });
    const asBytes = decodeOptionValue(debian.byCode('dhcp', 121)?.type as OptionType, octets, debian);
    assert.ok(asBytes.ok);
    // The example in Debian's /etc/dhcp/dhclient-exit-hooks.d/rfc3442-classless-routes:
    const expected = '24 192 168 10 192 168 1 1 8 10 10 17 66 41';
    assert.equal(
      formatOptionValue(debian.byCode('dhcp', 121)?.type as OptionType, asBytes.value, debian, 'env'),
      expected,
    );
    const routes: OptionType = { kind: 'array', of: { kind: 'classless-route' } };
    const typed = decodeOptionValue(routes, octets, cat);
    assert.ok(typed.ok);
    assert.deepEqual(typed.value, [
      { destination: '192.168.10.0', prefixLength: 24, router: '192.168.1.1' },
      { destination: '10.0.0.0', prefixLength: 8, router: '10.17.66.41' },
    ]);
    assert.equal(formatOptionValue(routes, typed.value, cat, 'env'), expected);
    assert.equal(formatOptionValue(routes, typed.value, cat, 'conf'), expected.replaceAll(' ', ','));
  });
});

describe('envVariableName', () => {
  it('names variables as dhcp_option_ev_name does', () => {
    assert.equal(envVariableName({ space: 'dhcp', name: 'domain-name-servers' }), 'domain_name_servers');
    assert.equal(envVariableName({ space: 'agent', name: 'circuit-id' }), 'agent_circuit_id');
    assert.equal(envVariableName({ space: 'dhcp6', name: 'name-servers' }), 'dhcp6_name_servers');
  });
});
