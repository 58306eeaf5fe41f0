import { strict as assert } from 'node:assert';
import { formatPythonLiteral, maxNestingDepth, parsePythonLiteral, PythonLiteralSyntaxError } from '../../../../src/core/formats/pythonLiteral';

/** Parses and prints back, so expectations read like Python's repr. */
function roundTrip(text: string, allowLongSuffix = false): string {
  return formatPythonLiteral(parsePythonLiteral(text, { allowLongSuffix }));
}

function assertSyntaxError(text: string, message: RegExp, allowLongSuffix = false): void {
  assert.throws(
    () => parsePythonLiteral(text, { allowLongSuffix }),
    (err: unknown) => err instanceof PythonLiteralSyntaxError && message.test(err.message),
    text,
  );
}

describe('parsePythonLiteral', function () {
  it('reads the header numpy writes, padding and newline included', function () {
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }                                                            \n";
    assert.equal(roundTrip(header), "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}");
  });

  it('tells a one-element tuple from a parenthesised value', function () {
    assert.deepEqual(parsePythonLiteral('(3,)'), { kind: 'tuple', items: [{ kind: 'int', value: 3n }] });
    assert.deepEqual(parsePythonLiteral('(3)'), { kind: 'int', value: 3n });
    assert.deepEqual(parsePythonLiteral('()'), { kind: 'tuple', items: [] });
    assert.deepEqual(parsePythonLiteral('( 2 , 3 , )'), { kind: 'tuple', items: [{ kind: 'int', value: 2n }, { kind: 'int', value: 3n }] });
  });

  it('reads both quote styles, escapes and adjacent strings', function () {
    assert.deepEqual(parsePythonLiteral(`"<f4"`), { kind: 'str', value: '<f4' });
    assert.deepEqual(parsePythonLiteral(`'a\\'b\\n\\x41\\u00e9\\\\'`), { kind: 'str', value: "a'b\nAé\\" });
    assert.deepEqual(parsePythonLiteral(`'a' "b"`), { kind: 'str', value: 'ab' });
    assert.deepEqual(parsePythonLiteral(`u'x'`), { kind: 'str', value: 'x' });
    assert.deepEqual(parsePythonLiteral(`'\\q'`), { kind: 'str', value: '\\q' });
  });

  it('reads True, False, None, signed ints, floats, lists, nested dicts and comments', function () {
    assert.equal(roundTrip('{"a": [True, False, None], "b": {1: -2}, "c": 2.5, "d": -1e3, "e": 1_000} # note'),
      "{'a': [True, False, None], 'b': {1: -2}, 'c': 2.5, 'd': -1000.0, 'e': 1000}");
  });

  it('keeps integers beyond 2^53 exact', function () {
    assert.deepEqual(parsePythonLiteral('(18446744073709551617,)'), { kind: 'tuple', items: [{ kind: 'int', value: 18446744073709551617n }] });
  });

  it('accepts Python 2 long integers only when asked to', function () {
    assert.equal(roundTrip('(3L, 4L)', true), '(3, 4)');
    assertSyntaxError('(3L, 4L)', /invalid number '3L'/);
  });

  it('refuses anything that is not a literal, saying where', function () {
    assertSyntaxError("{'shape': (2, 3)", /unexpected end of text/);
    assertSyntaxError("{'shape': os.system('x')}", /unexpected 'os.system' at character 11/);
    assertSyntaxError('[1, 2] junk', /unexpected 'junk' at character 8/);
    assertSyntaxError("'abc", /unterminated string starting at character 1/);
    assertSyntaxError("'''abc'''", /unexpected 'triple-quoted string'/);
    assertSyntaxError('(1 2)', /unexpected '2' at character 4/);
    assertSyntaxError('{1, 2}', /unexpected ',' at character 3/);
    assertSyntaxError('007', /leading zeros/);
    assertSyntaxError('', /unexpected end of text/);
    assertSyntaxError('__import__', /unexpected '__import__'/);
  });

  it('refuses nesting deeper than the limit instead of exhausting the stack', function () {
    const deep = '('.repeat(maxNestingDepth + 1) + ')'.repeat(maxNestingDepth + 1);
    assertSyntaxError(deep, /nested deeper than 64/);
    const hostile = '['.repeat(100000);
    assertSyntaxError(hostile, /nested deeper/);
    assert.doesNotThrow(() => parsePythonLiteral('('.repeat(maxNestingDepth) + ')'.repeat(maxNestingDepth)));
  });
});

describe('formatPythonLiteral', function () {
  it('writes values as Python repr does', function () {
    assert.equal(roundTrip('(3,)'), '(3,)');
    assert.equal(roundTrip('()'), '()');
    assert.equal(roundTrip('(2, -1)'), '(2, -1)');
    assert.equal(roundTrip(`"it's"`), `"it's"`);
    assert.equal(roundTrip(`'tab\\there'`), `'tab\\there'`);
    assert.equal(roundTrip('[2.0, 1e300]'), '[2.0, 1e+300]');
  });
});
