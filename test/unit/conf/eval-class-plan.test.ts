// classifyPacket's compiled class map (shared operands, shared submatches, subclasses by hash)
// against a reference: ISC's check_collection written plainly over the interpreter, class by class.
// Random configurations of the kinds sites write, random packets; the memberships must be the same,
// in the same order, with the same subclass keys and scopes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { classifyPacket } from '../../../src/conf/eval-class.js';
import { type EvalContext, OptionSet, withInputs } from '../../../src/conf/eval-context.js';
import { interpretBoolean, interpretData } from '../../../src/conf/eval-interp.js';
import { type ClassDef, hexKey } from '../../../src/conf/scope-tree.js';
import { conf, packetCtx } from './eval-helpers.js';

/** The classification of eval-class.ts before it was compiled: every class evaluated on its own. */
function reference(classes: ReadonlyMap<string, ClassDef>, ctx: EvalContext): string[] {
  const view = withInputs(ctx, { known: false, lease: undefined, config: new OptionSet() });
  const out: string[] = [];
  for (const def of classes.values()) {
    const decl = def.decl;
    if (decl.kind !== 'class' || decl.deleted) continue;
    if (decl.matchIf !== undefined) {
      if (interpretBoolean(decl.matchIf, view) !== true) continue;
      if (decl.submatch === undefined) {
        out.push(def.name);
        view.classes.push(def.name);
        continue;
      }
    }
    if (decl.submatch === undefined) continue;
    const data = interpretData(decl.submatch, view);
    if (data === undefined || data.length === 0) continue;
    const key = hexKey(data);
    if (def.subclasses.has(key)) out.push(`${def.name}/${key}/declared`);
    else if (decl.spawn) out.push(`${def.name}/${key}/spawned`);
    else continue;
    view.classes.push(def.name);
  }
  return out;
}

const VCI = ['MSFT 5.0', 'MSFT 98', 'PXEClient:Arch:00007', 'android-dhcp-13', 'udhcp 1.36.1', 'ABC', ''];
const MACS = ['00:07:e9:01:02:03', '00:07:e9:01:02:04', '02:aa:bb:cc:dd:ee'];
const CIRCUITS = ['ge-0/0/1', 'ge-0/0/2', 'xe-1'];

const operand = fc.constantFrom(
  'option vendor-class-identifier',
  'option host-name',
  'option agent.circuit-id',
  'lcase (option vendor-class-identifier)',
  'pick-first-value (option host-name, option vendor-class-identifier)',
);
const literal = fc.constantFrom(...VCI, 'MSFT', 'PXEClient', 'ge-0/0/1', 'ge-0').map((s) => JSON.stringify(s));
const condition = fc.oneof(
  fc.tuple(operand, fc.constantFrom('=', '!='), literal).map(([o, op, l]) => `${o} ${op} ${l}`),
  fc.tuple(literal, operand).map(([l, o]) => `${l} = ${o}`),
  fc
    .tuple(operand, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 10 }), literal)
    .map(([o, a, b, l]) => `substring (${o}, ${a}, ${b}) = ${l}`),
  fc
    .tuple(operand, fc.constantFrom('~=', '~~'), fc.constantFrom('"^msft"', '"^MSFT"', '"[unclosed"', '"ge-"', '""'))
    .map(([o, op, re]) => `${o} ${op} ${re}`),
  fc.constantFrom(
    'exists agent.circuit-id',
    'not known',
    'known',
    'check "default"',
    'exists host-name and not exists vendor-class-identifier',
  ),
);
const submatch = fc.constantFrom(
  'match hardware;',
  'match option agent.circuit-id;',
  'spawn with option agent.circuit-id;',
  'match pick-first-value (option dhcp-client-identifier, hardware);',
  'match substring (option vendor-class-identifier, 0, 4);',
);

const classText = fc
  .record({ cond: fc.option(condition, { nil: undefined }), sub: fc.option(submatch, { nil: undefined }) })
  .map(({ cond, sub }) => [cond === undefined ? '' : `match if ${cond};`, sub ?? ''].join(' '));

const config = fc.array(classText, { minLength: 1, maxLength: 8 }).map((bodies) => {
  const lines: string[] = [];
  bodies.forEach((body, i) => {
    lines.push(`class "c${i}" { ${body} }`);
    // Subclasses of every kind of selector; harmless for a class without a submatch.
    for (const m of MACS.slice(0, 2)) lines.push(`subclass "c${i}" 1:${m};`);
    lines.push(`subclass "c${i}" "${CIRCUITS[i % CIRCUITS.length]}" { option host-name "sub${i}"; }`);
    lines.push(`subclass "c${i}" "MSFT";`);
  });
  return lines.join('\n');
});

const packet = fc.record({
  vci: fc.option(fc.constantFrom(...VCI), { nil: undefined }),
  host: fc.option(fc.constantFrom('alpha', 'MSFT 5.0', ''), { nil: undefined }),
  circuit: fc.option(fc.constantFrom(...CIRCUITS, ''), { nil: undefined }),
  mac: fc.constantFrom(...MACS),
});

test('the compiled class map classifies as the class-by-class reference does', () => {
  fc.assert(
    fc.property(config, fc.array(packet, { minLength: 1, maxLength: 4 }), (text, packets) => {
      const { tree } = conf(text);
      for (const p of packets) {
        const spec = {
          options: [
            ...(p.vci !== undefined ? [[60, p.vci] as [number, string]] : []),
            ...(p.host !== undefined ? [[12, p.host] as [number, string]] : []),
          ],
          ...(p.circuit !== undefined ? { agent: [[1, p.circuit] as [number, string]] } : {}),
          chaddr: p.mac,
        };
        const got = classifyPacket(tree.classes, packetCtx(spec)).map((m) => {
          if (m.subclassKey === undefined) return m.name;
          const declared = tree.classes.get(m.name)?.subclasses.get(m.subclassKey);
          // A declared subclass brings its own scope; a spawned one the class's.
          assert.equal(m.scope, declared?.scope ?? m.def.scope);
          return `${m.name}/${m.subclassKey}/${m.spawned ? 'spawned' : 'declared'}`;
        });
        assert.deepEqual(got, reference(tree.classes, packetCtx(spec)), text);
      }
    }),
    { numRuns: Number(process.env.EVAL_PROPERTY_RUNS ?? 300) },
  );
});
