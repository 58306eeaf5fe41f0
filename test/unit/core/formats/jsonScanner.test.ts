import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { TensorFormatError } from '../../../../src/core/errors';
import { scanJson, maxJsonNestingDepth } from '../../../../src/core/formats/jsonScanner';
import { LineIndex, positionAt } from '../../../../src/core/formats/jsonPosition';
import { formatErrorOf } from '../../../helpers/formatErrors';

/** The elements the scanner stored for a one-array text, in order. */
function scanNumbers(text: string): Float64Array {
  const { root, elements } = scanJson(text, 't.json');
  assert.equal(root.kind, 'array');
  if (root.kind !== 'array') throw new Error('unreachable');
  return elements.copyValues(root.first, root.count);
}

function assertSameDoubles(actual: ArrayLike<number>, expected: ArrayLike<number>, literals: readonly string[]): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${literals[i]} parsed as ${actual[i]}; JSON.parse gives ${expected[i]}`);
  }
}

/** A random JSON number literal: sign, 1-30 integer digits, maybe a fraction and an exponent. */
function randomLiteral(rng: seedrandom.PRNG): string {
  const digits = (count: number) => Array.from({ length: count }, () => Math.floor(rng() * 10)).join('');
  let s = rng() < 0.4 ? '-' : '';
  const intDigits = 1 + Math.floor(rng() ** 2 * 30);
  s += rng() < 0.3 ? '0' : String(1 + Math.floor(rng() * 9)) + digits(intDigits - 1);
  if (rng() < 0.7) s += '.' + digits(1 + Math.floor(rng() ** 2 * 30));
  if (rng() < 0.5) {
    s += rng() < 0.5 ? 'e' : 'E';
    s += ['', '+', '-'][Math.floor(rng() * 3)];
    s += String(Math.floor(rng() ** 3 * 400));
  }
  return s;
}

describe('scanJson numbers', () => {
  it('parses every shortest double literal to the double JSON.parse gives', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 50 }), (doubles) => {
        const literals = doubles.map((d) => (Object.is(d, -0) ? '-0' : String(d)));
        const text = `[${literals.join(',')}]`;
        assertSameDoubles(scanNumbers(text), JSON.parse(text) as number[], literals);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('parses 50,000 random decimal literals of up to 60 digits exactly as JSON.parse does', () => {
    const rng = seedrandom('json-number-literals');
    const literals = Array.from({ length: 50_000 }, () => randomLiteral(rng));
    const text = `[${literals.join(', ')}]`;
    assertSameDoubles(scanNumbers(text), JSON.parse(text) as number[], literals);
  });

  it('parses the hard cases: signed zeros, 2^53 neighbours, halfway points, subnormals, overflow', () => {
    const literals = [
      '0', '-0', '-0.0', '0e0', '0.0e-5', '-0e+7', '1', '-1', '10', '1.0', '1.5e1', '0.1', '0.2', '0.3', '1e22', '1e23',
      '9007199254740991', '9007199254740992', '9007199254740993', '9007199254740995', '18014398509481985',
      '123456789012345678901234567890', '9007199254740991e22', '9007199254740991e-22', '123456789012345.6',
      '1.7976931348623157e308', '1.7976931348623158e308', '1.7976931348623159e308', '1e309', '-1E400',
      '2.2250738585072011e-308', '2.2250738585072014e-308', '4.9406564584124654e-324', '2.4703282292062327e-324',
      '2.4703282292062328e-324', '1e-400', '-1e-400', '1.00000000000000011102230246251565404236316680908203125',
      '1.00000000000000011102230246251565404236316680908203124', '0.10000000149011612', '0.000001', '1e-7',
      '3.4028234663852886e38', '65504', '0.000000000000000000000000000000001', '100000000000000000000000000000e-20',
      '1e0000000000000000000000000000001', '7.038531e-26', '1E+2', '1e-0',
    ];
    const text = `[${literals.join(',')}]`;
    assertSameDoubles(scanNumbers(text), JSON.parse(text) as number[], literals);
  });

  it('reads NaN, Infinity and -Infinity, as Python json.dump writes them', () => {
    const values = scanNumbers('[NaN, Infinity, -Infinity, 1]');
    assert.deepEqual(Array.from(values), [NaN, Infinity, -Infinity, 1]);
  });

  it('reads true and false inside arrays as 1 and 0 and remembers the first', () => {
    const { root, elements } = scanJson('[0.5, true, false]', 't.json');
    assert.ok(root.kind === 'array');
    assert.deepEqual(Array.from(elements.copyValues(root.first, root.count)), [0.5, 1, 0]);
    assert.deepEqual(root.firstBoolean, { start: 6, end: 10 });
  });
});

describe('scanJson structure', () => {
  it('gives the nesting shape of rectangular arrays, including empty dimensions', () => {
    const shapeOf = (text: string) => {
      const { root } = scanJson(text, 't.json');
      assert.ok(root.kind === 'array' && root.problem === undefined, text);
      return root.shape;
    };
    assert.deepEqual(shapeOf('[]'), [0]);
    assert.deepEqual(shapeOf('[1]'), [1]);
    assert.deepEqual(shapeOf('[[1,2,3],[4,5,6]]'), [2, 3]);
    assert.deepEqual(shapeOf('[[], []]'), [2, 0]);
    assert.deepEqual(shapeOf('[[[]]]'), [1, 1, 0]);
    assert.deepEqual(shapeOf(' [ [ [1] , [2] ] , [ [3] , [4] ] ] '), [2, 2, 1]);
  });

  it('marks ragged rows and misplaced entries without throwing, pointing at the first', () => {
    const problemOf = (text: string) => {
      const { root } = scanJson(text, 't.json');
      assert.ok(root.kind === 'array');
      return root.problem;
    };
    assert.deepEqual(problemOf('[[1,2],[3]]'), { kind: 'ragged', start: 7, end: 10, detail: 'row [1] has 1 element; expected 2' });
    assert.deepEqual(problemOf('[[[1,2],[3,4]],[[5,6],[7,8,9]]]'), {
      kind: 'ragged', start: 22, end: 29, detail: 'row [1][1] has 3 elements; expected 2',
    });
    assert.deepEqual(problemOf('[[1],2]'), { kind: 'ragged', start: 5, end: 6, detail: 'element [1] is a number; expected an array of length 1' });
    assert.deepEqual(problemOf('[1,[2]]'), { kind: 'ragged', start: 3, end: 4, detail: 'element [1] is an array; expected a number' });
    assert.deepEqual(problemOf('[1, "a\\"b", 3]'), { kind: 'nonNumeric', start: 4, end: 10, detail: '"a\\"b"' });
    assert.deepEqual(problemOf('[1, null]'), { kind: 'nonNumeric', start: 4, end: 8, detail: 'null' });
    assert.deepEqual(problemOf('[{"a": [1]}, 2]'), { kind: 'nonNumeric', start: 1, end: 11, detail: '{…}' });
    assert.equal(problemOf('[[1,2],[3,4]]'), undefined);
  });

  it('keeps objects with their keys, key spans and decoded strings', () => {
    const text = '{"a\\u0041": "x\\ny", "b": [1, 2], "c": null}';
    const { root } = scanJson(text, 't.json');
    assert.ok(root.kind === 'object');
    assert.deepEqual(root.entries.map((e) => e.key), ['aA', 'b', 'c']);
    assert.deepEqual(root.entries[0].keySpan, { start: 1, end: 10 });
    assert.deepEqual(root.entries[0].value, { kind: 'string', start: 12, end: 18, value: 'x\ny' });
    const nullAt = text.indexOf('null');
    assert.deepEqual(root.entries[2].value, { kind: 'literal', start: nullAt, end: nullAt + 4, value: null });
  });

  it('skips a leading byte-order mark', () => {
    assert.deepEqual(Array.from(scanNumbers('\uFEFF[1, 2]')), [1, 2]);
  });

  it('stores millions of elements across storage chunks in order', () => {
    const count = 200_003;
    const text = `[${Array.from({ length: count }, (_, i) => i).join(',')}]`;
    const values = scanNumbers(text);
    assert.equal(values.length, count);
    for (let i = 0; i < count; i++) if (values[i] !== i) assert.fail(`element ${i} is ${values[i]}`);
  });

  it('refuses an array with more elements than the limit while reading it', () => {
    const err = formatErrorOf(() => scanJson('[[1, 2], [3, 4]]', 't.json', { maxArrayElements: 3 }));
    assert.equal(err.message, 'Array in t.json at line 1, column 1 has more than 3 elements, the most one tensor may hold.');
    assert.doesNotThrow(() => scanJson('[[1, 2], [3]]', 't.json', { maxArrayElements: 3 }));
  });

  it(`refuses nesting deeper than ${maxJsonNestingDepth} levels instead of overflowing the stack`, () => {
    const deepArray = '['.repeat(maxJsonNestingDepth + 1) + ']'.repeat(maxJsonNestingDepth + 1);
    assert.equal(formatErrorOf(() => scanJson(deepArray, 't.json')).message, `t.json nests arrays or objects more than 512 levels deep at line 1, column 513.`);
    const deepObject = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    assert.match(formatErrorOf(() => scanJson(deepObject, 't.json')).message, /^t\.json nests arrays or objects more than 512 levels deep at line 1, column 2561\.$/);
    const fine = '['.repeat(maxJsonNestingDepth) + '1' + ']'.repeat(maxJsonNestingDepth);
    assert.doesNotThrow(() => scanJson(fine, 't.json'));
  });
});

describe('scanJson syntax errors', () => {
  const cases: readonly [text: string, message: string, line: number, column: number][] = [
    ['[1, 2', "Invalid JSON in t.json at line 1, column 6: unexpected end of file; expected ',' or ']'.", 1, 6],
    ['[1,, 2]', "Invalid JSON in t.json at line 1, column 4: unexpected ','; expected a value.", 1, 4],
    ['[1, 2,]', "Invalid JSON in t.json at line 1, column 7: unexpected ']'; expected a value.", 1, 7],
    ['[1 2]', "Invalid JSON in t.json at line 1, column 4: unexpected '2'; expected ',' or ']'.", 1, 4],
    ['[\n  1.0,\n  nan\n]', "Invalid JSON in t.json at line 3, column 3: unexpected 'nan'; expected a value.", 3, 3],
    ['[None]', "Invalid JSON in t.json at line 1, column 2: unexpected 'None'; expected a value.", 1, 2],
    ['[-Inf]', "Invalid JSON in t.json at line 1, column 2: invalid number '-Inf'.", 1, 2],
    ['[01]', "Invalid JSON in t.json at line 1, column 2: invalid number '01'.", 1, 2],
    ['[1.]', "Invalid JSON in t.json at line 1, column 2: invalid number '1.'.", 1, 2],
    ['[1e+]', "Invalid JSON in t.json at line 1, column 2: invalid number '1e+'.", 1, 2],
    ['[-]', "Invalid JSON in t.json at line 1, column 2: invalid number '-'.", 1, 2],
    ['[.5]', "Invalid JSON in t.json at line 1, column 2: unexpected '.'; expected a value or ']'.", 1, 2],
    ['[+1]', "Invalid JSON in t.json at line 1, column 2: unexpected '+'; expected a value or ']'.", 1, 2],
    ['{"a": 1,}', "Invalid JSON in t.json at line 1, column 9: unexpected '}'; expected a string key.", 1, 9],
    ["{'a': 1}", `Invalid JSON in t.json at line 1, column 2: unexpected "'"; expected a string key or '}'.`, 1, 2],
    ['{"a" 1}', "Invalid JSON in t.json at line 1, column 6: unexpected '1'; expected ':'.", 1, 6],
    ['{"a": 1 "b": 2}', "Invalid JSON in t.json at line 1, column 9: unexpected '\"'; expected ',' or '}'.", 1, 9],
    ['{"a": [1, "b]}', 'Invalid JSON in t.json at line 1, column 11: unterminated string.', 1, 11],
    ['["a\\qb"]', "Invalid JSON in t.json at line 1, column 4: invalid escape '\\q' in a string.", 1, 4],
    ['["\\u12G4"]', "Invalid JSON in t.json at line 1, column 3: invalid escape '\\u12G4' in a string.", 1, 3],
    ['["a\tb"]', 'Invalid JSON in t.json at line 1, column 4: unescaped control character U+0009 in a string.', 1, 4],
    ['[1] [2]', "Invalid JSON in t.json at line 1, column 5: unexpected '[' after the JSON value; expected the end of the file.", 1, 5],
    ['[1]\r\n\r\nx', "Invalid JSON in t.json at line 3, column 1: unexpected 'x' after the JSON value; expected the end of the file.", 3, 1],
    ['[1,\r2,\r\u00e9]', "Invalid JSON in t.json at line 3, column 1: unexpected 'é'; expected a value.", 3, 1],
    ['[1, \u0001]', 'Invalid JSON in t.json at line 1, column 5: unexpected character U+0001; expected a value.', 1, 5],
    ['[tru]', "Invalid JSON in t.json at line 1, column 2: unexpected 'tru'; expected a value.", 1, 2],
    ['{"a": truex}', "Invalid JSON in t.json at line 1, column 7: unexpected 'truex'; expected a value.", 1, 7],
    ['// comment\n[1]', "Invalid JSON in t.json at line 1, column 1: unexpected '/'; expected a value.", 1, 1],
  ];
  for (const [text, message, line, column] of cases) {
    it(`${JSON.stringify(text)}: ${message.slice(message.indexOf(': ') + 2)}`, () => {
      const err = formatErrorOf(() => scanJson(text, 't.json'));
      assert.equal(err.message, message);
      assert.equal(err.location.line, line);
      assert.equal(err.location.column, column);
      assert.deepEqual(positionAt(text, err.location.offset ?? -1), { line, column });
    });
  }

  it('agrees with JSON.parse on which of 2,000 mutated texts are valid (NaN and Infinity aside)', () => {
    const rng = seedrandom('json-mutations');
    const alphabet = ['[', ']', '{', '}', ',', ':', '"', '1', '-', '.', 'e', ' ', '\n', 'true', 'null', '0'];
    const base = '{"w": [[1.5, -2e3], [0, 4]], "b": {"data": [true, null, "x"]}}';
    for (let i = 0; i < 2000; i++) {
      let text = base;
      const edits = 1 + Math.floor(rng() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rng() * (text.length + 1));
        const piece = alphabet[Math.floor(rng() * alphabet.length)];
        text = rng() < 0.5 ? text.slice(0, at) + piece + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
      }
      let isValid = true;
      try {
        JSON.parse(text);
      } catch {
        isValid = false;
      }
      let isScanned = true;
      try {
        scanJson(text, 't.json');
      } catch (err) {
        assert.ok(err instanceof TensorFormatError, `${text}: ${String(err)}`);
        isScanned = false;
      }
      assert.equal(isScanned, isValid, text);
    }
  });
});

describe('LineIndex', () => {
  it('agrees with positionAt on every offset of a text mixing \\n, \\r\\n and \\r', () => {
    const rng = seedrandom('line-index');
    const pieces = ['a', 'bc', '\n', '\r\n', '\r', ' '];
    const text = Array.from({ length: 400 }, () => pieces[Math.floor(rng() * pieces.length)]).join('');
    const index = new LineIndex(text);
    for (let offset = 0; offset <= text.length; offset++) {
      if (text[offset - 1] === '\r' && text[offset] === '\n') continue;
      assert.deepEqual(index.positionAt(offset), positionAt(text, offset), `offset ${offset}`);
    }
    assert.deepEqual(index.positionAt(0), { line: 1, column: 1 });
  });
});
