// The lexer follows ISC's conflex.c: token classes, escapes, comments, positions.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenize } from '../../../src/conf/lexer.js';
import { isIdentifier } from '../../../src/conf/tokens.js';

const tags = (src: string) => tokenize(src).map((t) => `${t.t}:${t.text}`);

test('names, keywords (case-insensitive), numbers and punctuation', () => {
  assert.deepEqual(tags('Subnet 10.0.0.0 netmask 255.0.0.0 { }'), [
    'subnet:Subnet',
    'NUMBER:10',
    '.:.',
    'NUMBER:0',
    '.:.',
    'NUMBER:0',
    '.:.',
    'NUMBER:0',
    'netmask:netmask',
    'NUMBER:255',
    '.:.',
    'NUMBER:0',
    '.:.',
    'NUMBER:0',
    '.:.',
    'NUMBER:0',
    '{:{',
    '}:}',
    'EOF:',
  ]);
});

test('NUMBER -> NUMBER_OR_NAME -> NAME promotion; digits never make keywords', () => {
  assert.deepEqual(tags('00:16:3e 1a deadbeef 1st 0x1f foo_bar'), [
    'NUMBER:00',
    ':::',
    'NUMBER:16',
    ':::',
    'NUMBER_OR_NAME:3e',
    'NUMBER_OR_NAME:1a',
    'NUMBER_OR_NAME:deadbeef',
    'NAME:1st',
    'NUMBER_OR_NAME:0x1f',
    'NAME:foo_bar',
    'EOF:',
  ]);
  // "add" is all hex digits but is a keyword; "ab" is not a keyword.
  assert.deepEqual(tags('add ab'), ['add:add', 'NUMBER_OR_NAME:ab', 'EOF:']);
  // A lone '-' stays a NUMBER token, as in ISC.
  assert.deepEqual(tags('- -5 -x'), ['NUMBER:-', 'NUMBER:-5', 'NAME:-x', 'EOF:']);
});

test('identifiers: names, hex-looking names and keywords', () => {
  const [name, hex, kw, num, str] = tokenize('foo ab host 12 "x"');
  assert.ok(isIdentifier(name!) && isIdentifier(hex!) && isIdentifier(kw!));
  assert.ok(!isIdentifier(num!) && !isIdentifier(str!));
});

test('string escapes: \\t \\n \\r \\b, octal \\047, hex \\x41, other chars literally', () => {
  const [t] = tokenize('"a\\tb\\n\\r\\b \\047FS\\x41 \\"q\\" \\\\"');
  assert.equal(t?.t, 'STRING');
  assert.equal(t?.text, 'a\tb\n\r\b \'FSA "q" \\');
  assert.equal(t?.lexError, undefined);
});

test('bad escapes and unterminated strings are lexical errors on the token', () => {
  assert.equal(tokenize('"\\x4g"')[0]?.lexError, 'invalid hex digit: 67');
  assert.equal(tokenize('"\\19"')[0]?.lexError, 'invalid octal digit 39');
  assert.equal(tokenize('"abc')[0]?.lexError, 'eof in string constant');
});

test('comments run to the end of the line, also after a token', () => {
  assert.deepEqual(tags('a # comment "x" {\nbx#c\n'), ['NUMBER_OR_NAME:a', 'NAME:bx', 'EOF:']);
});

test('positions are 1-based line:col, a tab is one column, CRLF counts one line', () => {
  const toks = tokenize('a\r\n\tbb "x\ny" c');
  assert.deepEqual(
    toks.map((t) => [t.text, t.line, t.col]),
    [
      ['a', 1, 1],
      ['bb', 2, 2],
      ['x\ny', 2, 5],
      ['c', 3, 4],
      ['', 3, 4],
    ],
  );
});

test('bytes outside ASCII are one-character tokens outside strings and kept inside', () => {
  const toks = tokenize('\u00e9 "\u00e9"');
  assert.deepEqual(
    toks.map((t) => t.t),
    ['\u00e9', 'STRING', 'EOF'],
  );
});
