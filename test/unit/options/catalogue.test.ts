import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Catalogue } from '../../../src/options/catalogue.js';
import type { OptionDef } from '../../../src/options/types.js';

describe('Catalogue.standard', () => {
  const cat = Catalogue.standard();

  it('holds the ISC spaces with their code and length widths', () => {
    const layout = Object.fromEntries(cat.spaces().map((s) => [s.name, [s.codeWidth, s.lengthWidth]]));
    assert.deepEqual(layout, {
      dhcp: [1, 1],
      nwip: [1, 1],
      fqdn: [1, 1],
      'vendor-class': [4, 1],
      vendor: [4, 1],
      isc: [2, 2],
      dhcp6: [2, 2],
      vsio: [4, 0],
      isc6: [4, 0],
      agent: [1, 1],
      server: [4, 1],
    });
  });

  it('finds options by name and by code', () => {
    assert.deepEqual(cat.byName('dhcp', 'routers'), {
      space: 'dhcp',
      name: 'routers',
      code: 3,
      type: { kind: 'array', of: { kind: 'ip-address' } },
      userDefined: false,
    });
    assert.equal(cat.byCode('dhcp', 119)?.name, 'domain-search');
    assert.deepEqual(cat.byCode('dhcp', 119)?.type, { kind: 'domain-list', compressed: true });
    assert.equal(cat.byCode('agent', 1)?.name, 'circuit-id');
    assert.equal(cat.byName('server', 'default-lease-time')?.type.kind, 'lease-time');
    assert.equal(cat.byName('dhcp', 'no-such-option'), undefined);
    assert.equal(cat.byCode('no-such-space', 1), undefined);
  });

  it('compares names without regard to case, as ISC hashes them', () => {
    assert.equal(cat.byName('AGENT', 'docsis-device-class')?.code, 4);
    assert.equal(cat.byName('dhcp', 'Domain-Name-Servers')?.code, 6);
    assert.equal(cat.space('DHCP')?.name, 'dhcp');
  });

  it('does not predefine option 121, as ISC 4.4.3 does not', () => {
    assert.equal(cat.byCode('dhcp', 121), undefined);
    assert.equal(cat.byCodeOrUnknown('dhcp', 121).name, 'unknown-121');
    assert.deepEqual(cat.byCodeOrUnknown('dhcp', 121).type, { kind: 'string' });
  });

  it('resolves qualified names and unknown-N names as the configuration parser does', () => {
    assert.equal(cat.resolve('agent.circuit-id')?.code, 1);
    assert.equal(cat.resolve('routers')?.code, 3);
    assert.equal(cat.resolve('unknown-3')?.name, 'routers');
    assert.equal(cat.resolve('unknown-200')?.name, 'unknown-200');
    assert.equal(cat.resolve('nospace.foo'), undefined);
  });

  it('hands out independent copies', () => {
    const a = Catalogue.standard();
    a.define({ space: 'dhcp', name: 'xgrid-controller', code: 250, type: { kind: 'ip-address' } });
    assert.equal(Catalogue.standard().byCode('dhcp', 250), undefined);
    const b = a.clone();
    b.define({ space: 'dhcp', name: 'other', code: 251, type: { kind: 'text' } });
    assert.equal(a.byCode('dhcp', 251), undefined);
    assert.equal(b.byCode('dhcp', 250)?.name, 'xgrid-controller');
  });

  it('freezes definitions, which clones share', () => {
    const def = cat.byName('dhcp', 'routers');
    assert.ok(def && Object.isFrozen(def) && Object.isFrozen(def.type));
  });
});

describe('Catalogue.define', () => {
  it('adds a user definition (dhcp-options(5): option xgrid-controller code 250 = ip-address)', () => {
    const cat = Catalogue.standard();
    cat.define({ space: 'dhcp', name: 'xgrid-controller', code: 250, type: { kind: 'ip-address' } });
    const def = cat.byCode('dhcp', 250);
    assert.equal(def?.name, 'xgrid-controller');
    assert.equal(def?.userDefined, true);
    assert.equal(cat.byName('dhcp', 'xgrid-controller'), def);
  });

  it('lets a configuration define 121 itself, as Debian dhclient.conf does', () => {
    const cat = Catalogue.standard();
    const type = { kind: 'array', of: { kind: 'integer', bits: 8, signed: false } } as const;
    cat.define({ space: 'dhcp', name: 'rfc3442-classless-static-routes', code: 121, type });
    assert.equal(cat.byCode('dhcp', 121)?.name, 'rfc3442-classless-static-routes');
    assert.deepEqual(cat.byCode('dhcp', 121)?.type, type);
  });

  it('gives a redefined code to the new name; the old name still resolves (ISC keeps 3.0.x behaviour)', () => {
    const cat = Catalogue.standard();
    cat.define({ space: 'dhcp', name: 'arch', code: 93, type: { kind: 'integer', bits: 16, signed: false } });
    assert.equal(cat.byCode('dhcp', 93)?.name, 'arch');
    assert.equal(cat.byName('dhcp', 'arch')?.code, 93);
    assert.equal(cat.byName('dhcp', 'pxe-system-type')?.code, 93);
    assert.equal(cat.byName('dhcp', 'pxe-system-type')?.userDefined, false);
    assert.deepEqual(
      cat
        .options('dhcp')
        .filter((d) => d.code === 93)
        .map((d) => d.name),
      ['arch', 'pxe-system-type'],
    );
  });

  it('replaces a redefined name, type and all (option domain-search code 119 = string)', () => {
    const cat = Catalogue.standard();
    cat.define({ space: 'dhcp', name: 'domain-search', code: 119, type: { kind: 'string' } });
    assert.deepEqual(cat.byName('dhcp', 'domain-search')?.type, { kind: 'string' });
    assert.deepEqual(cat.byCode('dhcp', 119)?.type, { kind: 'string' });
    assert.equal(cat.options('dhcp').filter((d) => d.code === 119).length, 1);
  });

  it('defines options in built-in and user spaces', () => {
    const cat = Catalogue.standard();
    cat.define({
      space: 'vendor-class',
      name: 'cisco',
      code: 9,
      type: { kind: 'record', fields: [{ kind: 'string' }] },
    });
    assert.equal(cat.byCode('vendor-class', 9)?.name, 'cisco');
    cat.defineSpace({ name: 'SUNW', codeWidth: 1, lengthWidth: 1 });
    cat.define({ space: 'SUNW', name: 'server-address', code: 2, type: { kind: 'ip-address' } });
    assert.equal(cat.byName('sunw', 'server-address')?.space, 'SUNW');
  });

  it('re-declaring a space empties it, as ISC does', () => {
    const cat = Catalogue.standard();
    cat.defineSpace({ name: 'local', codeWidth: 1, lengthWidth: 1 });
    cat.define({ space: 'local', name: 'demo', code: 1, type: { kind: 'text' } });
    cat.defineSpace({ name: 'local', codeWidth: 2, lengthWidth: 2 });
    assert.deepEqual(cat.options('local'), []);
    assert.equal(cat.space('local')?.codeWidth, 2);
  });

  it('rejects definitions it could not use', () => {
    const cat = Catalogue.standard();
    const bad: Omit<OptionDef, 'userDefined'>[] = [
      { space: 'nope', name: 'x', code: 1, type: { kind: 'text' } },
      { space: 'dhcp', name: 'x', code: 256, type: { kind: 'text' } },
      { space: 'dhcp', name: 'x', code: 200, type: { kind: 'encapsulate', space: 'nope' } },
      { space: 'dhcp', name: 'x', code: 200, type: { kind: 'array', of: { kind: 'text' } } },
      {
        space: 'dhcp',
        name: 'x',
        code: 200,
        type: { kind: 'record', fields: [{ kind: 'text' }, { kind: 'ip-address' }] },
      },
      { space: 'dhcp', name: 'x', code: 200, type: { kind: 'array', of: { kind: 'zero-length' } } },
    ];
    for (const def of bad) {
      assert.ok(cat.checkDefinition(def), JSON.stringify(def));
      assert.throws(() => cat.define(def));
    }
    assert.equal(
      cat.checkDefinition({ space: 'dhcp6', name: 'x', code: 1234, type: { kind: 'ip6-address' } }),
      undefined,
    );
  });
});
