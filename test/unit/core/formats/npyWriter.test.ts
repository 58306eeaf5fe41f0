import { strict as assert } from 'node:assert';
import seedrandom from 'seedrandom';
import { memoryByteSource } from '../../../../src/core/byteSource';
import { openNpy } from '../../../../src/core/formats/npy';
import { encodeNpy, type NpyWritableDType, type NpyWritableValues } from '../../../../src/core/formats/npyWriter';
import { runPython } from '../../../helpers/python';

/** Loads each file with numpy.load and saves it again with numpy.save, to compare bytes. */
const numpyLoadScript = `
import base64, io, json, sys
import numpy as np
out = []
for b64 in json.load(sys.stdin):
    raw = base64.b64decode(b64)
    a = np.load(io.BytesIO(raw), allow_pickle=False)
    again = io.BytesIO()
    np.save(again, a)
    out.append({
        'descr': a.dtype.str,
        'shape': list(a.shape),
        'values': base64.b64encode(np.ascontiguousarray(a, dtype='<f8').tobytes()).decode(),
        'sameAsNumpySave': again.getvalue() == raw,
    })
json.dump(out, sys.stdout)
`;

interface WriterCase {
  readonly what: string;
  readonly values: NpyWritableValues;
  readonly shape: readonly number[];
  readonly dtype: NpyWritableDType;
  readonly descr: string;
}

const rng = seedrandom('npyWriter');
const codes8 = Uint8Array.from({ length: 24 }, () => Math.floor(rng() * 256));
const codes16 = Uint16Array.from({ length: 300 }, () => Math.floor(rng() * 65536));
const floats = Float64Array.from([0, -0, 1.5, NaN, Infinity, -Infinity, 5e-324, Number.MAX_VALUE, -1 / 3]);

const cases: WriterCase[] = [
  { what: 'uint8 codes (2, 3, 4)', values: codes8, shape: [2, 3, 4], dtype: 'uint8', descr: '|u1' },
  { what: 'uint16 codes (300,)', values: codes16, shape: [300], dtype: 'uint16', descr: '<u2' },
  { what: 'uint16 codes from plain numbers (3, 100)', values: Array.from(codes16), shape: [3, 100], dtype: 'uint16', descr: '<u2' },
  { what: 'float64 with NaN, infinities, -0 and extremes (9,)', values: floats, shape: [9], dtype: 'float64', descr: '<f8' },
  { what: 'float32 rounded from float64 (3, 3)', values: floats, shape: [3, 3], dtype: 'float32', descr: '<f4' },
  { what: 'float32 0-d', values: Float32Array.of(2.5), shape: [], dtype: 'float32', descr: '<f4' },
  { what: 'float64 empty (0, 5)', values: new Float64Array(0), shape: [0, 5], dtype: 'float64', descr: '<f8' },
  { what: 'int8 from plain numbers', values: [-128, -1, 0, 127], shape: [2, 2], dtype: 'int8', descr: '|i1' },
  { what: 'int64 beyond 2^53', values: [-(2 ** 63), 2 ** 60, -3], shape: [3], dtype: 'int64', descr: '<i8' },
  { what: 'uint64 near 2^64', values: [0, 2 ** 64 - 2048], shape: [2], dtype: 'uint64', descr: '<u8' },
  { what: 'bool', values: [0, 1, 2, NaN], shape: [1, 1, 1, 4], dtype: 'bool', descr: '|b1' },
  { what: 'int32 with a long first axis', values: new Int32Array(12345), shape: [12345, 1], dtype: 'int32', descr: '<i4' },
];

describe('encodeNpy', function () {
  const files = cases.map((c) => encodeNpy(c.values, c.shape, c.dtype));
  let loaded: { descr: string; shape: number[]; values: string; sameAsNumpySave: boolean }[] = [];

  before(function () {
    loaded = JSON.parse(runPython(numpyLoadScript, [], JSON.stringify(files.map((f) => Buffer.from(f).toString('base64')))));
  });

  for (const [i, c] of cases.entries()) {
    it(`writes ${c.what} that numpy.load reads back and numpy.save writes byte for byte`, function () {
      const result = loaded[i];
      assert.equal(result.descr, c.descr);
      assert.deepEqual(result.shape, c.shape);
      const raw = Buffer.from(result.values, 'base64');
      const values = new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
      const expected = Array.from(c.values, (v) => (c.dtype === 'float32' ? Math.fround(v) : c.dtype === 'bool' ? (v === 0 ? 0 : 1) : v));
      assert.equal(values.length, expected.length);
      values.forEach((v, k) => assert.ok(Object.is(v, expected[k]), `element ${k}: ${v} vs ${expected[k]}`));
      assert.ok(result.sameAsNumpySave, 'numpy.save writes the same bytes');
    });
  }

  it('aligns the data to 64 bytes and ends the header with a newline', function () {
    for (const file of files) {
      const headerBytes = file[8] | (file[9] << 8);
      assert.equal((10 + headerBytes) % 64, 0);
      assert.equal(file[10 + headerBytes - 1], 0x0a);
    }
  });

  it('writes files that openNpy reads back exactly', async function () {
    const file = await openNpy(memoryByteSource(encodeNpy(codes16, [10, 30], 'uint16'), 'codes.npy'));
    assert.deepEqual(file.tensors, [{ name: 'codes', dtype: 'uint16', shape: [10, 30], count: 300, byteSize: 600 }]);
    assert.deepEqual(Array.from((await file.read('codes')).values), Array.from(codes16));
  });

  it('refuses values that do not fit the dtype or the shape', function () {
    assert.throws(() => encodeNpy([256], [1], 'uint8'), /value 256 at index 0 does not fit uint8/);
    assert.throws(() => encodeNpy([1.5], [1], 'int32'), /value 1.5 at index 0 does not fit int32/);
    assert.throws(() => encodeNpy([2 ** 63], [1], 'int64'), RangeError);
    assert.throws(() => encodeNpy([NaN], [1], 'uint16'), RangeError);
    assert.throws(() => encodeNpy(new Uint8Array(5), [2, 3], 'uint8'), /5 values do not fill shape \[2, 3\]/);
    assert.throws(() => encodeNpy(new Uint8Array(0), [-1], 'uint8'), /invalid dimension -1/);
  });
});
