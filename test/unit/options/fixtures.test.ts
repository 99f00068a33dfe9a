// The catalogue against its sources of fact: ISC DHCP 4.4.3's option tables (isc-option-codes.tsv,
// isc-spaces.tsv) and the dhcp-options(5) manual page, all produced by
// test/fixtures/options/extract-fixtures.mjs. No name or code may drift.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Catalogue } from '../../../src/options/catalogue.js';
import { describeType, sameType, typeFromIscFormat } from '../../../src/options/isc-format.js';
import type { OptionDef, OptionType } from '../../../src/options/types.js';
import { MAN_SPACES, parseManFormat, readManPage } from './man-page.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../../test/fixtures/options/${name}`, import.meta.url), 'utf8');
const rows = (name: string) =>
  fixture(name)
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split('\t'));

const cat = Catalogue.standard();

// Where the catalogue's type deliberately differs from ISC's format letters.
const TYPE_DEVIATIONS: Record<string, string> = {
  // ISC's "Efqdn6-if-you-see-me-its-a-bug-bug-bug." is an internal shill over the DHCPv4 fqdn space; the
  // DHCPv6 client FQDN is carried as plain data here, as dhcp-options(5) documents it (string).
  'dhcp6.fqdn': 'X',
};

describe('catalogue vs ISC tables (isc-option-codes.tsv)', () => {
  const table = rows('isc-option-codes.tsv');

  it('has every ISC option with the same name, code and format', () => {
    assert.ok(table.length > 290);
    for (const [space = '', code = '', name = '', format = ''] of table) {
      const byCode = cat.byCode(space, Number(code));
      assert.equal(byCode?.name, name, `${space} code ${code}`);
      assert.equal(cat.byName(space, name)?.code, Number(code), `${space}.${name}`);
      const expected = typeFromIscFormat(TYPE_DEVIATIONS[`${space}.${name}`] ?? format);
      assert.ok(
        sameType(byCode.type, expected),
        `${space}.${name}: ${describeType(byCode.type)} vs ${format} (${describeType(expected)})`,
      );
    }
  });

  it('has no option ISC does not predefine', () => {
    const isc = new Set(table.map(([space, code]) => `${space}/${code}`));
    for (const s of cat.spaces()) {
      for (const def of cat.options(s.name)) assert.ok(isc.has(`${s.name}/${def.code}`), `${s.name}.${def.name}`);
    }
    const total = cat.spaces().reduce((n, s) => n + cat.options(s.name).length, 0);
    assert.equal(total, table.length);
  });

  it('has exactly ISC spaces with their code and length widths (isc-spaces.tsv)', () => {
    const spaces = rows('isc-spaces.tsv').map(([name, c, l]) => ({
      name,
      codeWidth: Number(c),
      lengthWidth: Number(l),
    }));
    assert.deepEqual(
      cat.spaces().sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')),
      spaces.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')),
    );
  });
});

// Where dhcp-options(5) contradicts ISC's tables; ISC's programs follow the tables, and so do we.
const MAN_ERRATA: Record<string, string> = {
  'fqdn.rcode1': 'documented as flag; tables.c "B" (unsigned 8-bit)',
  'fqdn.rcode2': 'documented as flag; tables.c "B" (unsigned 8-bit)',
  'nwip.nwip-1-1': 'documented as uint8; tables.c "f" (flag)',
};

// Options ISC predefines that dhcp-options(5) does not document (the page is not complete; 81 and 82 are
// documented through their sub-option spaces).
const UNDOCUMENTED = [
  'dhcp.fqdn',
  'dhcp.relay-agent-information',
  'dhcp.auto-config',
  'dhcp.vivco',
  'dhcp.sip-ua-cs-domains',
  'dhcp.ipv4-address-andsf',
  'dhcp.v4-portparams',
  'dhcp.v4-captive-portal',
  'agent.agent-id',
  'agent.relay-port',
  'nwip.illegal-1',
  'nwip.illegal-2',
  'nwip.illegal-3',
  'nwip.illegal-4',
  'dhcp6.dhcpv4-msg',
  'dhcp6.dhcp4-o-dhcp6-server',
  'dhcp6.v6-captive-portal',
  'dhcp6.relay-source-port',
  'dhcp6.ipv6-address-andsf',
];

/** Whether the manual's loose format words describe the catalogue's type. */
function compatible(man: OptionType, ours: OptionType): boolean {
  if (man.kind === 'string') return ['string', 'text', 'encapsulate'].includes(ours.kind); // "string" is used loosely
  if (man.kind === 'domain-name') return ours.kind === 'domain-name' || ours.kind === 'domain-list';
  if (man.kind === 'integer' && ours.kind === 'lease-time') return man.bits === 32 && !man.signed;
  if (man.kind === 'domain-list') return ours.kind === 'domain-list';
  if (man.kind === 'array') return ours.kind === 'array' && compatible(man.of, ours.of);
  if (man.kind === 'record') {
    return (
      ours.kind === 'record' &&
      ours.fields.length === man.fields.length &&
      man.fields.every((f, i) => compatible(f, ours.fields[i] as OptionType))
    );
  }
  if (man.kind === 'enumeration') return ours.kind === 'enumeration';
  return sameType(man, ours);
}

describe('catalogue vs dhcp-options(5) (dhcp-options.5.txt)', () => {
  const man = readManPage(fixture('dhcp-options.5.txt'));

  it('reads the synopsis formats', () => {
    const ipArray: OptionType = { kind: 'array', of: { kind: 'ip-address' } };
    assert.deepEqual(parseManFormat('ip-address [, ip-address...  ]'), ipArray);
    assert.deepEqual(parseManFormat('ip-address ip-address [, ip-address ip-address...]'), {
      kind: 'array',
      of: { kind: 'record', fields: [{ kind: 'ip-address' }, { kind: 'ip-address' }] },
    });
    assert.deepEqual(parseManFormat('boolean ip-address [, ip-address... ]'), {
      kind: 'record',
      fields: [{ kind: 'boolean' }, ipArray],
    });
    assert.deepEqual(parseManFormat(''), { kind: 'zero-length' });
    assert.equal(parseManFormat('--never set--'), null);
    const policy = man.find((o) => o.name === 'policy-filter');
    assert.equal(policy?.text, 'ip-address ip-address [, ip-address ip-address...]');
  });

  it('finds the synopses of every space the page covers', () => {
    const counts = Object.fromEntries(MAN_SPACES.map((s) => [s, man.filter((o) => o.space === s).length]));
    assert.deepEqual(counts, { dhcp: 111, agent: 4, fqdn: 8, nwip: 7, dhcp6: 61 });
  });

  it('has every documented option, with the same name and a compatible format', () => {
    for (const o of man) {
      const def = cat.byName(o.space, o.name);
      assert.ok(def, `${o.space}.${o.name} is documented but not in the catalogue`);
      assert.equal(def.name, o.name, 'exact spelling');
      const key = `${o.space}.${o.name}`;
      if (o.type === null || MAN_ERRATA[key]) continue;
      // Two DHCPv6 names are documented twice with different formats; one of them must match.
      const alternatives = man.filter((m) => m.space === o.space && m.name === o.name && m.type);
      assert.ok(
        alternatives.some((m) => compatible(m.type as OptionType, def.type)),
        `${key}: manual "${o.text}" vs catalogue ${describeType(def.type)}`,
      );
    }
  });

  it('documents every catalogue option of those spaces but a known list', () => {
    const documented = new Set(man.map((o) => `${o.space}.${o.name}`));
    const missing: string[] = [];
    for (const space of MAN_SPACES) {
      for (const def of cat.options(space) as OptionDef[]) {
        const key = `${space}.${def.name}`;
        if (!documented.has(key)) missing.push(key);
      }
    }
    assert.deepEqual(missing.sort(), [...UNDOCUMENTED].sort());
  });

  it('lists only errata that are still errata', () => {
    for (const key of Object.keys(MAN_ERRATA)) {
      const o = man.find((m) => `${m.space}.${m.name}` === key);
      const def = o && cat.byName(o.space, o.name);
      assert.ok(o?.type && def && !compatible(o.type, def.type), key);
    }
  });
});
