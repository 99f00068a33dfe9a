import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EvalContext } from '../../../src/conf/eval-context.js';
import { executeScopes, executeStatements } from '../../../src/conf/eval-exec.js';
import { ancestry } from '../../../src/conf/scope-tree.js';
import { Catalogue } from '../../../src/options/catalogue.js';
import { decodeOptionValue } from '../../../src/options/codec.js';
import { bytes, conf, type PacketSpec, packetCtx, text } from './eval-helpers.js';

const s = (d: Uint8Array | undefined) => (d === undefined ? undefined : Buffer.from(d).toString('latin1'));

/** Runs a configuration's top-level statements against a packet. */
function runConf(src: string, p: PacketSpec = {}, extra = {}): EvalContext {
  const c = conf(src);
  const ctx = packetCtx(p, { catalogue: c.catalogue, ...extra });
  executeStatements(c.statements, ctx);
  return ctx;
}

const IF_CHAIN = `
if option user-class = "accounting" {
  max-lease-time 17600;
  option domain-name "accounting.example.org";
} elsif option user-class = "sales" {
  max-lease-time 17601;
  option domain-name "sales.example.org";
} else {
  max-lease-time 600;
  option domain-name "misc.example.org";
}`;

test('if / elsif / else picks one branch; a null condition is false', () => {
  const acc = runConf(IF_CHAIN, { options: [[77, 'accounting']] });
  assert.equal(s(acc.config.get('dhcp', 15)), 'accounting.example.org');
  assert.equal(acc.parameters.get('max-lease-time'), 17600);
  const sales = runConf(IF_CHAIN, { options: [[77, 'sales']] });
  assert.equal(s(sales.config.get('dhcp', 15)), 'sales.example.org');
  assert.equal(sales.parameters.get('max-lease-time'), 17601);
  const none = runConf(IF_CHAIN);
  assert.equal(s(none.config.get('dhcp', 15)), 'misc.example.org');
  const nullCond = runConf('if option user-class ~= "x" { set a = "t"; } else { set a = "f"; }');
  assert.equal(s(nullCond.bindings.get('a') as Uint8Array), 'f');
});

const SWITCH = `
switch (option user-class) {
  case "accounting":
    set a = "accounting";
  case "sales":
    set s = "sales";
    break;
  case "engineering":
    set e = "engineering";
    break;
  default:
    set d = "default";
    break;
}`;

test('switch runs from the matching case to the next break, else from default', () => {
  const acc = runConf(SWITCH, { options: [[77, 'accounting']] });
  assert.deepEqual(
    ['a', 's', 'e', 'd'].map((n) => s(acc.bindings.get(n) as Uint8Array)),
    ['accounting', 'sales', undefined, undefined],
  );
  const eng = runConf(SWITCH, { options: [[77, 'engineering']] });
  assert.deepEqual(
    ['a', 's', 'e', 'd'].map((n) => s(eng.bindings.get(n) as Uint8Array)),
    [undefined, undefined, 'engineering', undefined],
  );
  const other = runConf(SWITCH, { options: [[77, 'x']] });
  assert.equal(s(other.bindings.get('d') as Uint8Array), 'default');
  const absent = runConf(SWITCH);
  assert.equal(s(absent.bindings.get('d') as Uint8Array), 'default', 'a null switch value takes default');
  const noDefault = runConf('switch (option user-class) { case "a": set x = "a"; }', { options: [[77, 'b']] });
  assert.equal(noDefault.bindings.get('x'), undefined);
});

test('switch on numbers; break inside an if only ends the if (ISC)', () => {
  const src = `
switch (extract-int (option dhcp-max-message-size, 16)) {
  case 576: set small = "yes"; break;
  case 1500:
    if exists host-name { set named = "yes"; break; }
    set later = "yes";
    break;
  case 9000: set jumbo = "yes";
}`;
  const ctx = runConf(src, {
    options: [
      [57, bytes(5, 220)],
      [12, 'h'],
    ],
  });
  assert.equal(s(ctx.bindings.get('named') as Uint8Array), 'yes');
  assert.equal(s(ctx.bindings.get('later') as Uint8Array), 'yes');
  assert.equal(ctx.bindings.get('jumbo'), undefined);
  assert.equal(s(runConf(src, { options: [[57, bytes(2, 64)]] }).bindings.get('small') as Uint8Array), 'yes');
});

test('set, define, unset, and user functions with return', () => {
  const ctx = runConf(`
set mac = binary-to-ascii (16, 8, ":", substring (hardware, 1, 6));
define flag = "1";
set gone = "x";
unset gone;
define greet (who, punct) {
  set inside = who;
  return concat ("hello ", who, punct);
}
set msg = greet ("world", "!");
set typed = concat ("x", greet ("world", "?"));
set bad = greet ("too few");
`);
  assert.equal(s(ctx.bindings.get('mac') as Uint8Array), '0:7:e9:1:2:3');
  assert.equal(s(ctx.bindings.get('flag') as Uint8Array), '1');
  assert.equal(ctx.bindings.get('gone'), undefined);
  assert.equal(s(ctx.bindings.get('msg') as Uint8Array), 'hello world!');
  // dhcpd 4.4.3 drops a call's result where a typed value is expected (the call still runs).
  assert.equal(ctx.bindings.get('typed'), undefined);
  assert.equal(ctx.bindings.get('bad'), undefined);
  // Arguments live in the call's own scope; `set` inside reaches out only to names that exist outside.
  assert.equal(ctx.bindings.get('who'), undefined);
  assert.equal(s(ctx.bindings.get('inside') as Uint8Array), undefined);
});

test('log and execute are collected, not run; a null argument skips them', () => {
  const ctx = runConf(
    `
class "extra" { }
log (info, concat ("client ", binary-to-ascii (16, 8, ":", option agent.remote-id)));
log (error, option user-class);
log ("debug by default");
execute ("/usr/local/bin/notify", "commit", binary-to-ascii (10, 8, ".", leased-address));
execute ("/bin/never", option user-class);
add "extra";
parse-vendor-option;
`,
    { agent: [[2, bytes(0, 0x16, 0x36)]] },
    { lease: { address: bytes(192, 0, 2, 9) } },
  );
  assert.deepEqual(ctx.logs, [
    { priority: 'info', text: 'client 0:16:36' },
    { priority: 'debug', text: 'debug by default' },
  ]);
  assert.deepEqual(ctx.executes, [{ command: '/usr/local/bin/notify', args: ['commit', '192.0.2.9'] }]);
  assert.deepEqual(ctx.added, ['extra']);
  assert.equal(ctx.parseVendorOption, true);
});

test('option statements: supersede replaces, default fills only unset, prepend/append concatenate', () => {
  const ctx = runConf(`
option domain-name "a.example";
default domain-name "ignored.example";
default host-name "dflt";
option domain-name-servers 192.0.2.1, 192.0.2.2;
append domain-name-servers 192.0.2.3;
prepend domain-name-servers 192.0.2.0;
option root-path = concat ("/srv/", option host-name);
default root-path "ignored";
append merit-dump "/new";
option nis-domain = config-option domain-name;
option extensions-path = config-option host-name;
supersede domain-name "b.example";
`);
  assert.equal(s(ctx.config.get('dhcp', 15)), 'b.example');
  assert.equal(s(ctx.config.get('dhcp', 12)), 'dflt');
  assert.deepEqual(ctx.config.get('dhcp', 6), bytes(192, 0, 2, 0, 192, 0, 2, 1, 192, 0, 2, 2, 192, 0, 2, 3));
  // A null value is "set" (default does not override it) but has no data.
  assert.equal(ctx.config.has('dhcp', 17), true);
  assert.equal(ctx.config.get('dhcp', 17), undefined);
  assert.equal(s(ctx.config.get('dhcp', 14)), '/new');
  assert.equal(s(ctx.config.get('dhcp', 40)), 'a.example', 'config-option sees what ran before');
  assert.equal(s(ctx.config.get('dhcp', 18)), 'dflt');
});

test('append to a compressed domain list joins the lists', () => {
  const ctx = runConf('option domain-search "a.example"; append domain-search "b.example";');
  const data = ctx.config.get('dhcp', 119);
  assert.ok(data);
  const def = Catalogue.standard().byCode('dhcp', 119);
  assert.ok(def);
  const v = decodeOptionValue(def.type, data, Catalogue.standard());
  assert.ok(v.ok);
  assert.deepEqual(v.value, ['a.example', 'b.example']);
});

test('on commit / release / expiry are returned by event; a later one replaces', () => {
  const ctx = runConf(`
on commit { set first = "1"; }
on commit or release { log (info, "second"); }
on expiry { log (info, "gone"); }
on expiry;
`);
  assert.equal(ctx.events.commit?.[0]?.kind, 'log');
  assert.equal(ctx.events.release?.[0]?.kind, 'log');
  assert.equal(ctx.events.expiry, undefined);
  assert.equal('expiry' in ctx.events, true);
  assert.equal(ctx.bindings.get('first'), undefined, 'event bodies are not run');
  executeStatements(ctx.events.commit ?? [], ctx);
  assert.deepEqual(ctx.logs, [{ priority: 'info', text: 'second' }]);
});

test('executeScopes runs a chain outermost first, so the subnet wins over global', () => {
  const c = conf(`
option domain-name "global.example";
default-lease-time 600;
subnet 192.0.2.0 netmask 255.255.255.0 {
  option domain-name "subnet.example";
  if exists host-name { default-lease-time 60; }
  deny unknown-clients;
}`);
  const subnet = c.tree.subnets[0];
  assert.ok(subnet);
  const ctx = packetCtx({ options: [[12, 'h']] }, { catalogue: c.catalogue });
  executeScopes(ancestry(subnet.scope).reverse(), ctx);
  assert.equal(s(ctx.config.get('dhcp', 15)), 'subnet.example');
  assert.equal(ctx.parameters.get('default-lease-time'), 60);
  assert.equal(ctx.allowDeny.get('unknown-clients'), 'deny');
});

test('host names in option values are resolved through the injected resolver', () => {
  const src = 'option routers gw.example.net, 192.0.2.1;';
  const resolved = runConf(
    src,
    {},
    { resolveHost: (n: string) => (n === 'gw.example.net' ? '192.0.2.254' : undefined) },
  );
  assert.deepEqual(resolved.config.get('dhcp', 3), bytes(192, 0, 2, 254, 192, 0, 2, 1));
  const unresolved = runConf(src);
  assert.deepEqual(unresolved.config.get('dhcp', 3), bytes(192, 0, 2, 1));
  assert.equal(s(text('x')), 'x');
});

test('a function returning null runs on (ISC); runaway recursion is null, not a crash', () => {
  const ctx = runConf(`
define choose (arg) {
  return option user-class;
  return concat ("after ", arg);
}
set r = choose ("null");
define loop (arg) { return loop (arg); }
set l = loop ("z");
`);
  assert.equal(s(ctx.bindings.get('r') as Uint8Array), 'after null');
  assert.equal(ctx.bindings.get('l'), undefined);
});
