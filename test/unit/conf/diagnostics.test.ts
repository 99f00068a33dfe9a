// Diagnostics print as FILE:LINE:COL: message, the source line and a caret under the spot;
// iscText is what `dhcpd -t` prints first.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDiagnostic, makeDiagnostic } from '../../../src/conf/diagnostics.js';
import { parseDhcpdConfText } from '../../../src/conf/index.js';

test('formatDiagnostic: location, source line, caret, hint', () => {
  const d = makeDiagnostic({ file: 'a.conf', line: 2, col: 5, message: 'semicolon expected.', hint: 'add a ;' });
  assert.equal(d.iscText, 'a.conf line 2: semicolon expected.');
  assert.equal(
    formatDiagnostic(d, 'first\nabc defg\nthird'),
    'a.conf:2:5: semicolon expected.\nabc defg\n    ^\nadd a ;\n',
  );
});

test('the caret keeps tabs so it lines up with the source', () => {
  const d = makeDiagnostic({ file: 'a.conf', line: 1, col: 3, message: 'm' });
  assert.equal(formatDiagnostic(d, '\t\tx'), 'a.conf:1:3: m\n\t\tx\n\t\t^\n');
});

test('CRLF sources print without the carriage return', () => {
  const d = makeDiagnostic({ file: 'a.conf', line: 1, col: 1, message: 'm' });
  assert.equal(formatDiagnostic(d, 'abc\r\ndef\r\n'), 'a.conf:1:1: m\nabc\n^\n');
});

test('messages ISC prints without a line keep their bare text; warnings are labelled', () => {
  const d = makeDiagnostic({ file: 'a.conf', line: 3, col: 1, message: 'bad range', noLine: true });
  assert.equal(d.iscText, 'bad range');
  const w = makeDiagnostic({ file: 'a.conf', line: 3, col: 1, message: 'careful' }, 'warning');
  assert.equal(formatDiagnostic(w), 'a.conf:3:1: warning: careful\n');
});

test('a parse error points at the token ISC blames, with ISC line and our column', () => {
  const r = parseDhcpdConfText('option domain-name "x"\nsubnet 10.0.0.0 netmask 255.0.0.0 { }\n', 't.conf');
  assert.ok(r.error);
  assert.equal(r.error.iscText, 't.conf line 2: semicolon expected.');
  assert.equal(
    formatDiagnostic(r.error, r.sources.get('t.conf')),
    't.conf:2:1: semicolon expected.\nsubnet 10.0.0.0 netmask 255.0.0.0 { }\n^\n',
  );
});

test('before any token is consumed ISC says line 0; the caret still shows the token', () => {
  const r = parseDhcpdConfText('\n\n1\n', 't.conf');
  assert.equal(r.error?.iscText, 't.conf line 0: expecting a parameter or declaration');
  assert.deepEqual([r.error?.line, r.error?.col], [3, 1]);
});
