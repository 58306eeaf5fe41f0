import { strict as assert } from 'node:assert';
import seedrandom from 'seedrandom';
import { positionAt } from '../../../../src/core/formats/jsonPosition';
import { parseJsonTensorText, tensorNameOfFile, type JsonTensor } from '../../../../src/core/formats/jsonTensors';
import { formatErrorOf } from '../../../helpers/formatErrors';

/** Parses a JSON value the way the tensor reader does, NaN and ±Infinity included. */
function parseLiteral(literal: string): number | boolean {
  if (literal === 'NaN') return NaN;
  if (literal === 'Infinity') return Infinity;
  if (literal === '-Infinity') return -Infinity;
  return JSON.parse(literal) as number | boolean;
}

/** Flattens a nested JS array in C order. */
function flatten(value: unknown): number[] {
  return Array.isArray(value) ? value.flatMap(flatten) : [value as number];
}

function assertSameDoubles(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  assert.equal(actual.length, expected.length, 'length');
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** Checks that each element span covers exactly the literal of that element. */
function assertSpansMatch(text: string, tensor: JsonTensor): void {
  assert.equal(tensor.elementSpans.length, 2 * tensor.values.length);
  for (let i = 0; i < tensor.values.length; i++) {
    const literal = text.slice(tensor.elementSpans[2 * i], tensor.elementSpans[2 * i + 1]);
    const parsed = parseLiteral(literal);
    const value = typeof parsed === 'boolean' ? Number(parsed) : parsed;
    if (!Object.is(value, tensor.values[i])) assert.fail(`span ${i} holds ${JSON.stringify(literal)}, element is ${tensor.values[i]}`);
  }
}

/** A random nested array of the given shape, written with random whitespace and number styles. */
function randomNestedText(rng: seedrandom.PRNG, shape: readonly number[]): { text: string; value: unknown } {
  const space = () => [' ', '', '\n  ', '\r\n', '\t'][Math.floor(rng() * 5)];
  const build = (dim: number): { text: string; value: unknown } => {
    if (dim === shape.length) {
      const r = rng();
      const v = r < 0.05 ? NaN : r < 0.08 ? Infinity : r < 0.1 ? -Infinity : (rng() - 0.5) * 10 ** Math.floor(rng() * 12 - 6);
      const style = rng();
      let literal = Number.isFinite(v) ? (style < 0.3 ? v.toExponential(Math.floor(rng() * 17)) : style < 0.6 ? v.toFixed(Math.floor(rng() * 8)) : String(v)) : String(v);
      if (literal === '-0' && rng() < 0.5) literal = '-0.0';
      return { text: literal, value: parseLiteral(literal) };
    }
    const items = Array.from({ length: shape[dim] }, () => build(dim + 1));
    return { text: `[${space()}${items.map((i) => i.text).join(`${space()},${space()}`)}${space()}]`, value: items.map((i) => i.value) };
  };
  return build(0);
}

describe('parseJsonTensorText: forms', () => {
  it('reads a bare array as one float64 tensor named after the file', () => {
    const text = '[1, 2.5, -3]';
    const doc = parseJsonTensorText(text, 'weights.json');
    assert.equal(doc.isNamed, false);
    assert.equal(doc.tensors.length, 1);
    const [t] = doc.tensors;
    assert.deepEqual(t.info, { name: 'weights', dtype: 'float64', shape: [3], count: 3, byteSize: 0 });
    assert.deepEqual(Array.from(t.values), [1, 2.5, -3]);
    assert.deepEqual(t.span, { start: 0, end: text.length });
    assert.equal(t.keySpan, undefined);
    assert.deepEqual(t.warnings, []);
  });

  it('takes the shape from the nesting of 200 seeded random arrays, values equal to JSON.parse', () => {
    const rng = seedrandom('json-nested');
    for (let i = 0; i < 200; i++) {
      const rank = Math.floor(rng() * 5);
      const shape = Array.from({ length: rank + 1 }, () => 1 + Math.floor(rng() * 4));
      const { text, value } = randomNestedText(rng, shape);
      const [t] = parseJsonTensorText(text, 'r.json').tensors;
      assert.deepEqual(t.info.shape, shape, text);
      assert.equal(t.info.count, shape.reduce((a, b) => a * b, 1));
      assertSameDoubles(t.values, flatten(value));
      assertSpansMatch(text, t);
    }
  });

  it('reads empty arrays as tensors with a zero dimension', () => {
    assert.deepEqual(parseJsonTensorText('[]', 'e.json').tensors[0].info.shape, [0]);
    assert.deepEqual(parseJsonTensorText('[[], []]', 'e.json').tensors[0].info.shape, [2, 0]);
    assert.deepEqual(parseJsonTensorText('{"shape": [0, 3], "data": []}', 'e.json').tensors[0].info.shape, [0, 3]);
  });

  it('reads the {"shape", "dtype", "data"} form with flat data, reshaped', () => {
    const text = '{"shape": [2, 3], "dtype": "float32", "data": [1, 2, 3, 4, 5, 6]}';
    const [t] = parseJsonTensorText(text, 'dir/sub/m.json').tensors;
    assert.deepEqual(t.info, { name: 'm', dtype: 'float32', shape: [2, 3], count: 6, byteSize: 0 });
    assert.deepEqual(Array.from(t.values), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(t.span, { start: 0, end: text.length });
    assertSpansMatch(text, t);
  });

  it('reads the object form with nested data, shape and dtype optional, keys in any order', () => {
    const [a] = parseJsonTensorText('{"data": [[1, 2], [3, 4]]}', 'a.json').tensors;
    assert.deepEqual([a.info.dtype, a.info.shape], ['float64', [2, 2]]);
    const [b] = parseJsonTensorText('{"data": [[1, 2], [3, 4]], "dtype": "int16", "shape": [2, 2]}', 'b.json').tensors;
    assert.deepEqual([b.info.dtype, b.info.shape], ['int16', [2, 2]]);
  });

  it('reads a number as "data" as a 0-d tensor, and [x] with shape [] likewise', () => {
    const [a] = parseJsonTensorText('{"data": 2.5}', 'a.json').tensors;
    assert.deepEqual([a.info.shape, a.info.count, Array.from(a.values)], [[], 1, [2.5]]);
    assert.deepEqual(Array.from(a.elementSpans), [9, 12]);
    const [b] = parseJsonTensorText('{"shape": [], "data": [7]}', 'b.json').tensors;
    assert.deepEqual([b.info.shape, b.info.count], [[], 1]);
  });

  it('reads an object of named tensors in file order, with key spans and tensor spans', () => {
    const text = [
      '{',
      '  "conv1.weight": {"shape": [2, 2], "dtype": "float16", "data": [0.5, -1, 2, 65504]},',
      '  "conv1.bias": [0.25, NaN],',
      '  "steps": {"dtype": "uint8", "data": [[1, 2], [3, 255]]},',
      '  "mask": {"dtype": "bool", "data": [true, false, 1, 0]}',
      '}',
    ].join('\n');
    const doc = parseJsonTensorText(text, 'model.json');
    assert.equal(doc.isNamed, true);
    assert.deepEqual(doc.tensors.map((t) => t.info.name), ['conv1.weight', 'conv1.bias', 'steps', 'mask']);
    assert.deepEqual(doc.tensors.map((t) => t.info.dtype), ['float16', 'float64', 'uint8', 'bool']);
    assert.deepEqual(doc.tensors.map((t) => t.info.shape), [[2, 2], [2], [2, 2], [4]]);
    assert.deepEqual(Array.from(doc.tensors[3].values), [1, 0, 1, 0]);
    for (const t of doc.tensors) {
      assert.ok(t.keySpan);
      assert.equal(text.slice(t.keySpan.start, t.keySpan.end), JSON.stringify(t.info.name));
      const spanned = text.slice(t.span.start, t.span.end);
      assert.match(spanned, /^[[{].*[\]}]$/s);
      assertSpansMatch(text, t);
    }
    assert.equal(text.slice(doc.tensors[1].span.start, doc.tensors[1].span.end), '[0.25, NaN]');
  });

  it('reads a tensor object with "data" and a "labels" key as two named tensors', () => {
    const doc = parseJsonTensorText('{"data": [1, 2], "labels": [0, 1]}', 'x.json');
    assert.equal(doc.isNamed, true);
    assert.deepEqual(doc.tensors.map((t) => t.info.name), ['data', 'labels']);
  });

  it('keeps NaN, Infinity and -Infinity as non-finite values', () => {
    const [t] = parseJsonTensorText('[[NaN, Infinity], [-Infinity, -0.0]]', 'n.json').tensors;
    assert.deepEqual(Array.from(t.values), [NaN, Infinity, -Infinity, -0]);
    assert.ok(Object.is(t.values[3], -0));
  });

  it('tolerates a byte-order mark and keeps offsets relative to the text given', () => {
    const text = '\uFEFF[1, 2]';
    const [t] = parseJsonTensorText(text, 'b.json').tensors;
    assert.deepEqual(Array.from(t.elementSpans), [2, 3, 5, 6]);
  });

  it('leaves out element spans when asked, with the same values', () => {
    const text = '{"a": [[1, 2], [3, 4]], "b": {"data": [5]}}';
    const withSpans = parseJsonTensorText(text, 'a.json');
    const without = parseJsonTensorText(text, 'a.json', { elementSpans: false });
    assert.deepEqual(without.tensors.map((t) => t.elementSpans.length), [0, 0]);
    assert.deepEqual(without.tensors.map((t) => Array.from(t.values)), withSpans.tensors.map((t) => Array.from(t.values)));
  });

  it('names the single tensor after the file base name without its extension', () => {
    assert.equal(tensorNameOfFile('weights.json'), 'weights');
    assert.equal(tensorNameOfFile('/a/b/layer.0.json'), 'layer.0');
    assert.equal(tensorNameOfFile('C:\\x\\w.JSON'), 'w');
    assert.equal(tensorNameOfFile('.json'), '.json');
    assert.equal(tensorNameOfFile('noext'), 'noext');
  });
});

describe('parseJsonTensorText: dtypes and values', () => {
  it('accepts every value each dtype can hold at its bounds', () => {
    const ok: readonly [string, string][] = [
      ['int8', '[-128, 127, 0, 3.0]'], ['uint8', '[0, 255]'], ['int16', '[-32768, 32767]'], ['uint16', '[65535]'],
      ['int32', '[-2147483648, 2147483647]'], ['uint32', '[4294967295]'], ['int64', '[-9223372036854775808, 9223372036854775807]'],
      ['uint64', '[18446744073709551615]'], ['bool', '[0, 1, true, false]'], ['float16', '[-65504, 65504, NaN, Infinity, -Infinity]'],
      ['float8_e4m3fn', '[-448, 448, NaN]'], ['float8_e5m2', '[57344, -Infinity]'], ['bfloat16', '[3.3895313892515355e38]'],
      ['float32', '[3.4028234663852886e38, 1e-45]'], ['float64', '[1.7976931348623157e308, 1e400]'],
    ];
    for (const [dtype, data] of ok) {
      const [t] = parseJsonTensorText(`{"dtype": "${dtype}", "data": ${data}}`, 'v.json').tensors;
      assert.equal(t.info.dtype, dtype);
      assertSameDoubles(t.values, data.slice(1, -1).split(',').map((literal) => Number(parseLiteral(literal.trim()))));
    }
  });

  it('refuses the first value a dtype cannot hold, pointing at it', () => {
    const cases: readonly [dtype: string, data: string, bad: string, message: string][] = [
      ['uint8', '[1, 256, -1]', '256', 'Value 256 in v.json at AT does not fit dtype "uint8"; expected integers from 0 to 255.'],
      ['int8', '[1, 2.5]', '2.5', 'Value 2.5 in v.json at AT does not fit dtype "int8"; expected integers from -128 to 127.'],
      ['int32', '[NaN]', 'NaN', 'Value NaN in v.json at AT does not fit dtype "int32"; expected integers from -2147483648 to 2147483647.'],
      ['int64', '[1e19]', '1e19', 'Value 1e19 in v.json at AT does not fit dtype "int64"; expected integers from -2^63 to 2^63 - 1.'],
      ['uint64', '[-1]', '-1', 'Value -1 in v.json at AT does not fit dtype "uint64"; expected integers from 0 to 2^64 - 1.'],
      ['bool', '[0, 2]', '2', 'Value 2 in v.json at AT does not fit dtype "bool"; expected 0, 1, true or false.'],
      ['float16', '[65505]', '65505', 'Value 65505 in v.json at AT does not fit dtype "float16"; expected values from -65504 to 65504, NaN or ±Infinity.'],
      ['float8_e4m3fn', '[Infinity]', 'Infinity', 'Value Infinity in v.json at AT does not fit dtype "float8_e4m3fn"; expected values from -448 to 448 or NaN.'],
    ];
    for (const [dtype, data, bad, template] of cases) {
      const text = `{"dtype": "${dtype}", "data": ${data}}`;
      const message = template.replace('AT', `line 1, column ${text.indexOf(bad, text.indexOf('[')) + 1}`);
      for (const elementSpans of [true, false]) {
        const err = formatErrorOf(() => parseJsonTensorText(text, 'v.json', { elementSpans }));
        assert.equal(err.message, message);
        assert.deepEqual(positionAt(text, err.location.offset ?? -1), { line: err.location.line, column: err.location.column });
      }
    }
  });

  it('warns when int64 values lie beyond 2^53 and may have been rounded', () => {
    const [t] = parseJsonTensorText('{"dtype": "int64", "data": [9007199254740993, 1, -9007199254740995]}', 'i.json').tensors;
    assert.deepEqual(t.warnings, ['2 values of i.json lie beyond ±2^53 and may have been rounded to the nearest float64.']);
    const [u] = parseJsonTensorText('{"w": {"dtype": "uint64", "data": [18446744073709551615]}}', 'i.json').tensors;
    assert.deepEqual(u.warnings, ["1 value of tensor 'w' of i.json lies beyond ±2^53 and may have been rounded to the nearest float64."]);
  });
});

describe('parseJsonTensorText: errors', () => {
  const cases: readonly [name: string, text: string, message: string, entry?: string][] = [
    ['empty file', '', 'f.json is empty; expected an array of numbers or an object of tensors.'],
    ['blank file', '\uFEFF \n\t\r\n', 'f.json is empty; expected an array of numbers or an object of tensors.'],
    ['invalid syntax', '{\n  "a": [1, 2,, 3]\n}', "Invalid JSON in f.json at line 2, column 14: unexpected ','; expected a value."],
    ['ragged rows', '[[1, 2, 3],\n [4, 5, 6],\n [7, 8]]', 'Ragged array in f.json at line 3, column 2: row [2] has 2 elements; expected 3.'],
    ['ragged deeper', '[[[1], [2]], [[3], [4, 5]]]', 'Ragged array in f.json at line 1, column 20: row [1][1] has 2 elements; expected 1.'],
    ['number where a row belongs', '[[1, 2], 3]', 'Ragged array in f.json at line 1, column 10: element [1] is a number; expected an array of length 2.'],
    ['row where a number belongs', '[1, [2, 3]]', 'Ragged array in f.json at line 1, column 5: element [1] is an array; expected a number.'],
    ['string entry', '[\n  0.5,\n  "abc"\n]', 'Non-numeric entry "abc" in f.json at line 3, column 3; expected a number.'],
    ['null entry', '[1, null]', 'Non-numeric entry null in f.json at line 1, column 5; expected a number.'],
    ['object entry', '[1, {"a": 2}]', 'Non-numeric entry {…} in f.json at line 1, column 5; expected a number.'],
    ['long string entry', `[1, "${'x'.repeat(60)}"]`, `Non-numeric entry "${'x'.repeat(39)}… in f.json at line 1, column 5; expected a number.`],
    ['boolean without dtype bool', '[1, true]', 'Non-numeric entry true in f.json at line 1, column 5; expected a number (true and false need dtype "bool").'],
    ['boolean before a string', '[false, "x"]', 'Non-numeric entry false in f.json at line 1, column 2; expected a number (true and false need dtype "bool").'],
    ['string before a boolean', '["x", false]', 'Non-numeric entry "x" in f.json at line 1, column 2; expected a number.'],
    ['shape vs flat data', '{"shape": [2, 3],\n "data": [1, 2, 3, 4, 5]}', 'Shape [2, 3] in f.json at line 1, column 11 does not match the data: 6 elements expected, 5 found.'],
    ['shape vs nested data', '{"data": [[1, 2, 3], [4, 5, 6]], "shape": [3, 2]}', 'Shape [3, 2] in f.json at line 1, column 43 does not match the data, which is nested as [2, 3].'],
    ['negative shape', '{"shape": [2, -1], "data": [1, 2]}', 'Invalid shape [2, -1] in f.json at line 1, column 11; expected an array of non-negative integers.'],
    ['fractional shape', '{"shape": [1.5], "data": [1]}', 'Invalid shape [1.5] in f.json at line 1, column 11; expected an array of non-negative integers.'],
    ['string shape', '{"shape": "2x2", "data": [1]}', 'Invalid shape "2x2" in f.json at line 1, column 11; expected an array of non-negative integers.'],
    ['nested shape', '{"shape": [[2]], "data": [1, 2]}', 'Invalid shape [[2]] in f.json at line 1, column 11; expected an array of non-negative integers.'],
    ['unknown dtype', '{"dtype": "float31", "data": [1]}', 'Unknown dtype "float31" in f.json at line 1, column 11; expected one of bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float16, bfloat16, float32, float64, float8_e4m3fn, float8_e5m2.'],
    ['numpy dtype code', '{"dtype": "<f4", "data": [1]}', 'Unknown dtype "<f4" in f.json at line 1, column 11; expected one of bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float16, bfloat16, float32, float64, float8_e4m3fn, float8_e5m2.'],
    ['non-string dtype', '{"dtype": 4, "data": [1]}', 'Unknown dtype 4 in f.json at line 1, column 11; expected one of bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float16, bfloat16, float32, float64, float8_e4m3fn, float8_e5m2.'],
    ['string data', '{"dtype": "float32", "data": "1,2"}', 'Invalid "data" in f.json at line 1, column 30: the string "1,2"; expected an array of numbers.'],
    ['null data', '{"shape": [1], "data": null}', 'Invalid "data" in f.json at line 1, column 24: null; expected an array of numbers.'],
    ['unexpected key in the tensor form', '{"dtype": "int8", "data": [1], "name": "w"}', `Unexpected key 'name' in f.json at line 1, column 32; expected only "shape", "dtype" and "data".`],
    ['duplicate key in the tensor form', '{"data": [1], "dtype": "int8", "data": [2]}', "Duplicate key 'data' in f.json at line 1, column 32; expected each key once."],
    ['top-level string', '"weights"', 'f.json holds the string "weights" at line 1, column 1; expected an array of numbers or an object of tensors.'],
    ['top-level number', '\n  42', 'f.json holds the number 42 at line 2, column 3; expected an array of numbers or an object of tensors.'],
    ['top-level null', 'null', 'f.json holds null at line 1, column 1; expected an array of numbers or an object of tensors.'],
    ['empty object', '{ }', 'f.json holds an empty object at line 1, column 1; expected an array of numbers or an object of tensors.'],
    ['package.json-like object', '{\n  "name": "clipwise",\n  "version": "0.1.0"\n}', `Entry 'name' in f.json at line 2, column 11 is the string "clipwise"; expected a tensor: an array of numbers or an object with "data".`, 'name'],
    ['tsconfig-like object', '{"compilerOptions": {"strict": true}}', `Entry 'compilerOptions' in f.json at line 1, column 21 is an object without "data"; expected a tensor: an array of numbers or an object with "data".`, 'compilerOptions'],
    ['named scalar', '{"w": [1], "lr": 0.1}', `Entry 'lr' in f.json at line 1, column 18 is the number 0.1; expected a tensor: an array of numbers or an object with "data".`, 'lr'],
    ['duplicate tensor name', '{"w": [1],\n "w": [2]}', "Duplicate key 'w' in f.json at line 2, column 2; expected each key once."],
    ['ragged named tensor', '{"a": [1], "b": {"data": [[1], [2, 3]]}}', "Ragged array in tensor 'b' of f.json at line 1, column 32: row [1] has 2 elements; expected 1.", 'b'],
    ['non-numeric named tensor', '{"b": ["x"]}', `Non-numeric entry "x" in tensor 'b' of f.json at line 1, column 8; expected a number.`, 'b'],
    ['unknown dtype of a named tensor', '{"b": {"dtype": "f4", "data": [1]}}', "Unknown dtype \"f4\" in tensor 'b' of f.json at line 1, column 17; expected one of bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float16, bfloat16, float32, float64, float8_e4m3fn, float8_e5m2.", 'b'],
    ['shape of a named tensor', '{"b": {"shape": [3], "data": [1]}}', "Shape [3] in tensor 'b' of f.json at line 1, column 17 does not match the data: 3 elements expected, 1 found.", 'b'],
    ['unexpected key in a named tensor', '{"b": {"data": [1], "labels": [1]}}', `Unexpected key 'labels' in tensor 'b' of f.json at line 1, column 21; expected only "shape", "dtype" and "data".`, 'b'],
    ['value of a named tensor', '{"b": {"dtype": "int8", "data": [1000]}}', `Value 1000 in tensor 'b' of f.json at line 1, column 34 does not fit dtype "int8"; expected integers from -128 to 127.`, 'b'],
  ];
  for (const [name, text, message, entry] of cases) {
    it(`${name}: ${message}`, () => {
      const err = formatErrorOf(() => parseJsonTensorText(text, 'f.json'));
      assert.equal(err.message, message);
      const { offset, line, column } = err.location;
      assert.ok(offset !== undefined && line !== undefined && column !== undefined);
      assert.deepEqual(positionAt(text, offset), { line, column });
      if (!message.endsWith('is empty; expected an array of numbers or an object of tensors.')) {
        assert.ok(message.includes(`line ${line}, column ${column}`), 'the message gives the position');
      }
      assert.equal(err.location.entry, entry);
    });
  }

  it('refuses a tensor larger than maxTensorBytes, pointing at its array', () => {
    const err = formatErrorOf(() => parseJsonTensorText('{"a": [1, 2],\n "b": [1, 2, 3]}', 'f.json', { maxTensorBytes: 16 }));
    assert.equal(err.message, 'Array in f.json at line 2, column 7 has more than 2 elements, the most one tensor may hold.');
  });
});
