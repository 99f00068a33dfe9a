// The compiled evaluator (eval-compile.ts) against the reference interpreter (eval-interp.ts):
// random well-typed expressions (and some ill-typed ones: a data operator where a boolean is
// expected is legal in the AST) over random packet, lease and variable contexts. Both must give the
// same value — null included — and the same effects (functions called, in the same order, through
// the short-circuits of and/or/concat/pick-first-value/packet), or both throw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Expr, Pos, Statement } from '../../../src/conf/ast.js';
import { evaluateCondition } from '../../../src/conf/eval.js';
import {
  compileBoolean,
  compileCondition,
  compileData,
  compileExpression,
  compileNumeric,
} from '../../../src/conf/eval-compile.js';
import {
  Bindings,
  createEvalContext,
  type EvalContext,
  type FunctionValue,
  OptionSet,
  packetOptions,
  type Value,
} from '../../../src/conf/eval-context.js';
import {
  interpretBoolean,
  interpretData,
  interpretExpression,
  interpretNumeric,
} from '../../../src/conf/eval-interp.js';
import { encodeRelayAgentInfo } from '../../../src/wire/relay-agent.js';
import { expr, packetCtx } from './eval-helpers.js';

const pos: Pos = { file: 't', line: 1, col: 1 };
const text = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

// ---------------------------------------------------------------------------------------------
// Expressions

const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 8 }),
  fc
    .constantFrom(
      '',
      'MSFT 5.0',
      'MSFT',
      'MSFT ',
      'PXEClient:Arch:00007',
      'PXEClient',
      'abc',
      'ab',
      'a',
      'ABC',
      'a\0b',
      'ge-0/0/7',
      'ge-0',
      ':',
      '.',
    )
    .map(text),
);
const intArb = fc.oneof(
  fc.integer({ min: -3, max: 40 }),
  fc.constantFrom(0, 1, 2, 8, 10, 16, 32, 0xffffffff, 2 ** 40, -(2 ** 33)),
);
const patternArb = fc
  .constantFrom('^MSFT', 'a|b', '^[[:alpha:]]+$', '[unclosed', '', '^$', '.*', 'b{2}', '\\<abc', 'pxe', '[[:bogus:]]')
  .map(text);
const OPTION_CODES: [string, number][] = [
  ['dhcp', 12],
  ['dhcp', 60],
  ['dhcp', 61],
  ['dhcp', 93],
  ['agent', 1],
  ['agent', 2],
];
const optionRef = fc.constantFrom(...OPTION_CODES);
const VARS = ['vd', 'vn', 'vb', 'vf', 'unbound'];
const FUNCS = ['echo', 'noisy', 'missing'];

interface Exprs {
  data: Expr;
  num: Expr;
  bool: Expr;
  any: Expr;
}

const exprs = fc.letrec<Exprs>((tie) => {
  const data = tie('data') as fc.Arbitrary<Expr>;
  const num = tie('num') as fc.Arbitrary<Expr>;
  const bool = tie('bool') as fc.Arbitrary<Expr>;
  const any = tie('any') as fc.Arbitrary<Expr>;
  const call = fc.record({
    op: fc.constant('funcall' as const),
    pos: fc.constant(pos),
    name: fc.constantFrom(...FUNCS),
    args: fc.array(any, { minLength: 0, maxLength: 2 }),
  });
  const variable = fc.constantFrom(...VARS).map((name): Expr => ({ op: 'variable', pos, name }));
  const leaf = <T extends Expr['op']>(...ops: T[]) => fc.constantFrom(...ops).map((op) => ({ op, pos }) as Expr);
  return {
    data: fc.oneof(
      { depthSize: 'large', maxDepth: 6, withCrossShrink: true },
      { arbitrary: bytesArb.map((d): Expr => ({ op: 'const-data', pos, data: d })), weight: 2 },
      {
        arbitrary: optionRef.map(([space, code]): Expr => ({ op: 'option', pos, space, name: `o${code}`, code })),
        weight: 3,
      },
      optionRef.map(([space, code]): Expr => ({ op: 'config-option', pos, space, name: `o${code}`, code })),
      leaf('hardware', 'leased-address', 'host-decl-name', 'filename', 'server-name', 'gethostname', 'null'),
      fc.constantFrom('good.example', 'bad.example').map((hostname): Expr => ({ op: 'host-lookup', pos, hostname })),
      {
        arbitrary: fc.record({
          op: fc.constant('substring' as const),
          pos: fc.constant(pos),
          expr: data,
          offset: num,
          length: num,
        }),
        weight: 2,
      },
      fc.record({ op: fc.constant('suffix' as const), pos: fc.constant(pos), expr: data, length: num }),
      fc.record({ op: fc.constantFrom('lcase' as const, 'ucase' as const), pos: fc.constant(pos), expr: data }),
      fc.record({ op: fc.constant('packet' as const), pos: fc.constant(pos), offset: num, length: num }),
      fc.record({
        op: fc.constantFrom('concat' as const, 'pick-first-value' as const),
        pos: fc.constant(pos),
        args: fc.array(data, { minLength: 1, maxLength: 3 }),
      }),
      fc.record({
        op: fc.constant('encode-int' as const),
        pos: fc.constant(pos),
        expr: num,
        bits: fc.constantFrom(8 as const, 16 as const, 32 as const),
      }),
      fc.record({
        op: fc.constant('binary-to-ascii' as const),
        pos: fc.constant(pos),
        base: num,
        width: num,
        separator: data,
        buffer: data,
      }),
      fc.record({ op: fc.constant('reverse' as const), pos: fc.constant(pos), width: num, buffer: data }),
      variable,
      call,
    ),
    num: fc.oneof(
      { depthSize: 'large', maxDepth: 6, withCrossShrink: true },
      { arbitrary: intArb.map((value): Expr => ({ op: 'const-int', pos, value })), weight: 5 },
      leaf('lease-time', 'client-state'),
      fc.record({
        op: fc.constant('extract-int' as const),
        pos: fc.constant(pos),
        expr: data,
        bits: fc.constantFrom(8 as const, 16 as const, 32 as const),
      }),
      fc.record({
        op: fc.constantFrom(
          'add' as const,
          'subtract' as const,
          'multiply' as const,
          'divide' as const,
          'remainder' as const,
          'binary-and' as const,
          'binary-or' as const,
          'binary-xor' as const,
        ),
        pos: fc.constant(pos),
        left: num,
        right: num,
      }),
      variable,
      call,
    ),
    bool: fc.oneof(
      { depthSize: 'large', maxDepth: 6, withCrossShrink: true },
      leaf('known', 'static'),
      optionRef.map(([space, code]): Expr => ({ op: 'exists', pos, space, name: `o${code}`, code })),
      fc.constantFrom(...VARS).map((name): Expr => ({ op: 'defined', pos, name })),
      fc.constant<Expr>({ op: 'check', pos, collection: 'default' }),
      fc.record({
        op: fc.constantFrom('equal' as const, 'not-equal' as const),
        pos: fc.constant(pos),
        left: any,
        right: any,
      }),
      fc.record({
        op: fc.constantFrom('regex-match' as const, 'iregex-match' as const),
        pos: fc.constant(pos),
        left: data,
        right: fc.oneof(
          patternArb.map((d): Expr => ({ op: 'const-data', pos, data: d })),
          data,
        ),
      }),
      fc.record({ op: fc.constantFrom('and' as const, 'or' as const), pos: fc.constant(pos), left: bool, right: bool }),
      fc.record({ op: fc.constant('not' as const), pos: fc.constant(pos), arg: bool }),
      variable,
      call,
    ),
    // Anything, including operators of another type where one is expected.
    any: fc.oneof({ depthSize: 'large', maxDepth: 6 }, data, num, bool),
  };
});

/** The shapes the compiler has fast paths for, as `match if` writes them: OPERAND = constant, etc. */
const operand = fc.oneof(
  optionRef.map(([space, code]): Expr => ({ op: 'option', pos, space, name: `o${code}`, code })),
  fc.constant<Expr>({ op: 'hardware', pos }),
  exprs.data,
);
const constData = bytesArb.map((d): Expr => ({ op: 'const-data', pos, data: d }));
const constInt = intArb.map((value): Expr => ({ op: 'const-int', pos, value }));
/** Offsets and lengths that cut the pool's strings into their own prefixes ('MSFT' of 'MSFT 5.0'). */
const cut = fc.oneof(fc.integer({ min: -1, max: 9 }), intArb).map((value): Expr => ({ op: 'const-int', pos, value }));
const windowed = fc.oneof(
  operand,
  fc.record({
    op: fc.constant('substring' as const),
    pos: fc.constant(pos),
    expr: operand,
    offset: cut,
    length: cut,
  }),
  fc.record({ op: fc.constant('suffix' as const), pos: fc.constant(pos), expr: operand, length: cut }),
);
const shaped: fc.Arbitrary<Expr> = fc.oneof(
  fc.record({
    op: fc.constantFrom('equal' as const, 'not-equal' as const),
    pos: fc.constant(pos),
    left: windowed,
    right: fc.oneof(constData, constInt, fc.constant<Expr>({ op: 'null', pos })),
  }),
  fc.record({
    op: fc.constantFrom('equal' as const, 'not-equal' as const),
    pos: fc.constant(pos),
    left: constData,
    right: windowed,
  }),
  fc.record({
    op: fc.constantFrom('regex-match' as const, 'iregex-match' as const),
    pos: fc.constant(pos),
    left: windowed,
    right: patternArb.map((d): Expr => ({ op: 'const-data', pos, data: d })),
  }),
);

// ---------------------------------------------------------------------------------------------
// Contexts

/** `echo (a)` returns its argument; `noisy (a)` logs it first (so calls show in the effects). */
const ECHO: FunctionValue = {
  kind: 'function',
  params: ['a'],
  body: [{ kind: 'return', pos, expr: { op: 'variable', pos, name: 'a' } }] as Statement[],
};
const NOISY: FunctionValue = {
  kind: 'function',
  params: ['a'],
  body: [
    {
      kind: 'log',
      pos,
      priority: 'info',
      expr: {
        op: 'concat',
        pos,
        args: [
          { op: 'const-data', pos, data: text('called ') },
          {
            op: 'pick-first-value',
            pos,
            args: [
              { op: 'variable', pos, name: 'a' },
              { op: 'const-data', pos, data: text('null') },
            ],
          },
        ],
      },
    },
    { kind: 'set', pos, name: 'calls', expr: { op: 'const-int', pos, value: 1 } },
    { kind: 'return', pos, expr: { op: 'variable', pos, name: 'a' } },
  ] as Statement[],
};

const valueArb: fc.Arbitrary<Value | undefined> = fc.oneof(bytesArb, intArb, fc.boolean(), fc.constant(undefined));

const ctxSpec = fc.record({
  options: fc.array(fc.tuple(fc.constantFrom(12, 60, 61, 93), bytesArb), { maxLength: 4 }),
  agent: fc.option(fc.array(fc.tuple(fc.constantFrom(1, 2), bytesArb), { maxLength: 2 }), { nil: undefined }),
  hardware: fc.option(fc.uint8Array({ minLength: 0, maxLength: 7 }), { nil: undefined }),
  raw: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }),
  file: fc.option(bytesArb, { nil: undefined }),
  sname: fc.option(bytesArb, { nil: undefined }),
  known: fc.option(fc.boolean(), { nil: undefined }),
  lease: fc.option(
    fc.record(
      {
        address: fc.uint8Array({ minLength: 4, maxLength: 4 }),
        ends: fc.integer({ min: 0, max: 2000 }),
        static: fc.boolean(),
        hostDeclName: fc.constantFrom('host-a', ''),
      },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  ),
  now: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }),
  clientState: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
  config: fc.array(fc.tuple(optionRef, fc.option(bytesArb, { nil: undefined })), { maxLength: 3 }),
  vars: fc.record({ vd: valueArb, vn: valueArb, vb: valueArb, vf: valueArb }),
  functions: fc.boolean(),
  classes: fc.array(fc.constantFrom('a', 'b'), { maxLength: 2 }),
  hostname: fc.option(fc.constantFrom('srv', 'x'.repeat(300)), { nil: undefined }),
});

type CtxSpec = typeof ctxSpec extends fc.Arbitrary<infer T> ? T : never;

/** A fresh context for the spec (each evaluation gets its own, since effects change it). */
function build(s: CtxSpec): EvalContext {
  const options = new Map<number, Uint8Array>(s.options);
  if (s.agent !== undefined) options.set(82, encodeRelayAgentInfo(s.agent.map(([code, data]) => ({ code, data }))));
  const config = new OptionSet();
  for (const [[space, code], d] of s.config) config.set(space, code, d);
  const bindings = new Bindings();
  for (const [k, v] of Object.entries(s.vars)) if (v !== undefined) bindings.set(k, v);
  if (s.functions) {
    bindings.set('echo', ECHO);
    bindings.set('noisy', NOISY);
  }
  const ctx = createEvalContext({
    options: packetOptions(options),
    ...(s.hardware !== undefined ? { hardware: s.hardware } : {}),
    ...(s.raw !== undefined ? { raw: s.raw } : {}),
    ...(s.file !== undefined ? { file: s.file } : {}),
    ...(s.sname !== undefined ? { sname: s.sname } : {}),
    ...(s.known !== undefined ? { known: s.known } : {}),
    ...(s.lease !== undefined ? { lease: s.lease } : {}),
    ...(s.now !== undefined ? { now: s.now } : {}),
    ...(s.clientState !== undefined ? { clientState: s.clientState } : {}),
    gethostname: () => s.hostname,
    resolveHost: (name) => (name === 'good.example' ? '192.0.2.7' : undefined),
    config,
    bindings,
  });
  ctx.classes.push(...s.classes);
  return ctx;
}

// ---------------------------------------------------------------------------------------------
// Comparing

type Outcome = { threw: string } | { value: unknown; logs: string[]; calls: unknown };

function run(f: (ctx: EvalContext) => unknown, s: CtxSpec): Outcome {
  const ctx = build(s);
  try {
    const value = f(ctx);
    return {
      value: value instanceof Uint8Array ? { bytes: [...value] } : value,
      logs: ctx.logs.map((l) => l.text),
      calls: ctx.bindings.get('calls'),
    };
  } catch (e) {
    return { threw: (e as Error).constructor.name };
  }
}

function same(e: Expr, s: CtxSpec): void {
  const pairs: [string, (c: EvalContext) => unknown, (c: EvalContext) => unknown][] = [
    ['expression', (c) => interpretExpression(e, c), compileExpression(e)],
    ['boolean', (c) => interpretBoolean(e, c), compileBoolean(e)],
    ['data', (c) => interpretData(e, c), compileData(e)],
    ['numeric', (c) => interpretNumeric(e, c), compileNumeric(e)],
    ['condition', (c) => interpretBoolean(e, c) === true, compileCondition(e)],
  ];
  for (const [kind, interpreted, compiled] of pairs) {
    assert.deepStrictEqual(run(compiled, s), run(interpreted, s), `${kind} of ${JSON.stringify(e)}`);
  }
}

const RUNS = Number(process.env.EVAL_PROPERTY_RUNS ?? 2500);

test('compiled expressions equal the interpreter on random expressions and contexts (values, nulls, effects)', () => {
  fc.assert(
    fc.property(exprs.any, fc.array(ctxSpec, { minLength: 1, maxLength: 3 }), (e, specs) => {
      // Several contexts per expression: the compiled closure is built once and reused, as per packet.
      for (const s of specs) same(e, s);
    }),
    { numRuns: RUNS },
  );
});

test('the fast paths (OPERAND = constant, constant substring windows, constant regexes) agree too', () => {
  const tree = fc.oneof(
    shaped,
    fc.record({
      op: fc.constantFrom('and' as const, 'or' as const),
      pos: fc.constant(pos),
      left: shaped,
      right: shaped,
    }),
    fc.record({ op: fc.constant('not' as const), pos: fc.constant(pos), arg: shaped }),
  );
  fc.assert(
    fc.property(tree, fc.array(ctxSpec, { minLength: 1, maxLength: 3 }), (e, specs) => {
      for (const s of specs) same(e, s);
    }),
    { numRuns: RUNS },
  );
});

test('boolean trees of and/or/not over calls with effects short-circuit as the interpreter does', () => {
  fc.assert(
    fc.property(exprs.bool, ctxSpec, (e, s) => same(e, { ...s, functions: true })),
    { numRuns: RUNS / 2 },
  );
});

test('constant subtrees are folded and constant regexes compiled, with the same results', () => {
  const c = packetCtx({ options: [[60, 'PXEClient:Arch:00007']] });
  const cases: [string, unknown][] = [
    ['lcase ("ABC") = "abc"', true],
    ['substring ("PXEClient", 0, 3) = "PXE"', true],
    ['concat ("a", "b", "c") = "abc"', true],
    ['option vendor-class-identifier ~= "^PXE"', true],
    ['option vendor-class-identifier ~= "[unclosed"', false],
    ['option user-class ~= "x"', undefined],
    ['(option user-class = "x") and (1 = 1)', undefined],
    ['(1 = 2) or exists vendor-class-identifier', true],
    ['(1 = 2) and exists vendor-class-identifier', undefined],
    ['extract-int (substring (option vendor-class-identifier, 0, 1), 8) = 80', true],
    ['encode-int (3 * 4, 8) = 0c', true],
  ];
  for (const [t, want] of cases) {
    const e = expr(t);
    assert.deepStrictEqual(compileBoolean(e)(c), want, t);
    assert.deepStrictEqual(interpretBoolean(e, c), want, t);
    assert.equal(evaluateCondition(e, c), want === true, t);
  }
  // Compiled once per node: the same closure on every call.
  const e = expr('option vendor-class-identifier ~= "^PXE"');
  assert.equal(compileBoolean(e), compileBoolean(e));
});
