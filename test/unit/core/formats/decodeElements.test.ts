import { strict as assert } from 'node:assert';
import seedrandom from 'seedrandom';
import { dtypeBytes, type DType } from '../../../../src/core/dtype';
import { decodeElements, decodeElementsInto } from '../../../../src/core/formats/decodeElements';
import { runPython } from '../../../helpers/python';

/** numpy's descr for each dtype numpy itself can decode. */
const numpyCode: Partial<Record<DType, string>> = {
  bool: 'b1', int8: 'i1', int16: 'i2', int32: 'i4', int64: 'i8',
  uint8: 'u1', uint16: 'u2', uint32: 'u4', uint64: 'u8',
  float16: 'f2', float32: 'f4', float64: 'f8',
};

/** Decodes each (descr, bytes) with numpy: float64 values and how many did not survive the cast exactly. */
const numpyDecodeScript = `
import base64, json, sys
import numpy as np
out = []
for case in json.load(sys.stdin):
    raw = np.frombuffer(base64.b64decode(case['b64']), dtype=np.dtype(case['descr']))
    with np.errstate(invalid='ignore'):
        values = raw.astype('<f8')
    inexact = 0
    if raw.dtype.kind in 'iu':
        inexact = sum(1 for a, b in zip(raw.tolist(), values.tolist()) if int(b) != a)
    out.append({'b64': base64.b64encode(values.tobytes()).decode(), 'inexact': inexact})
json.dump(out, sys.stdout)
`;

interface NumpyDecoded {
  readonly values: Float64Array;
  readonly inexact: number;
}

function decodeWithNumpy(cases: readonly { descr: string; bytes: Uint8Array }[]): NumpyDecoded[] {
  const input = JSON.stringify(cases.map((c) => ({ descr: c.descr, b64: Buffer.from(c.bytes).toString('base64') })));
  const results = JSON.parse(runPython(numpyDecodeScript, [], input)) as { b64: string; inexact: number }[];
  return results.map((r) => {
    const raw = Buffer.from(r.b64, 'base64');
    return { values: new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)), inexact: r.inexact };
  });
}

function assertSameBits(actual: Float64Array, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

function reverseEachElement(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += size) {
    for (let j = 0; j < size; j++) out[i + j] = bytes[i + size - 1 - j];
  }
  return out;
}

function bytesOfUint16(codes: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(codes.length * 2);
  for (let i = 0; i < codes.length; i++) {
    out[2 * i] = codes[i] & 0xff;
    out[2 * i + 1] = codes[i] >>> 8;
  }
  return out;
}

/** Random bytes plus, for 8-byte integers, the values around 2^53, 2^63 and 2^64 where rounding starts. */
function sampleBytes(dtype: DType, rng: () => number): Uint8Array {
  const size = dtypeBytes[dtype];
  const random = new Uint8Array(size * 97);
  for (let i = 0; i < random.length; i++) random[i] = Math.floor(rng() * 256);
  if (size !== 8) return random;
  const edges = [0n, 1n, (1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n, (1n << 53n) + 3n, (1n << 54n) + 2n, (1n << 54n) + 6n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n, (1n << 63n) + 1025n];
  const edgeBytes = new Uint8Array(edges.length * 8);
  const view = new DataView(edgeBytes.buffer);
  edges.forEach((v, i) => view.setBigUint64(8 * i, v, true));
  const negated = new Uint8Array(edges.length * 8);
  const negView = new DataView(negated.buffer);
  edges.forEach((v, i) => negView.setBigUint64(8 * i, BigInt.asUintN(64, -v), true));
  return Uint8Array.from([...random, ...edgeBytes, ...negated]);
}

describe('decodeElements', function () {
  describe('against numpy', function () {
    const rng = seedrandom('decodeElements');
    const dtypes = Object.keys(numpyCode) as DType[];
    const samples = dtypes.map((dtype) => ({ dtype, littleEndian: sampleBytes(dtype, rng) }));
    let expected: NumpyDecoded[] = [];
    let float16All: Float64Array;
    let float32High: Float64Array;

    before(function () {
      const cases = samples.map((s) => ({ descr: `<${numpyCode[s.dtype]}`, bytes: s.littleEndian }));
      const patterns = new Uint8Array(65536 * 2);
      for (let i = 0; i < 65536; i++) {
        patterns[2 * i] = i & 0xff;
        patterns[2 * i + 1] = i >>> 8;
      }
      // bfloat16 is by definition the upper half of a float32, so numpy's float32 is its oracle.
      const float32Words = new Uint8Array(65536 * 4);
      for (let i = 0; i < 65536; i++) {
        float32Words[4 * i + 2] = i & 0xff;
        float32Words[4 * i + 3] = i >>> 8;
      }
      const results = decodeWithNumpy([...cases, { descr: '<f2', bytes: patterns }, { descr: '<f4', bytes: float32Words }]);
      expected = results.slice(0, cases.length);
      float16All = results[cases.length].values;
      float32High = results[cases.length + 1].values;
    });

    it('decodes all 65536 float16 bit patterns as numpy does, in both byte orders', function () {
      const patterns = bytesOfUint16(Array.from({ length: 65536 }, (_, i) => i));
      assertSameBits(decodeElements(patterns, 'float16', true).values, float16All, 'float16 <');
      assertSameBits(decodeElements(reverseEachElement(patterns, 2), 'float16', false).values, float16All, 'float16 >');
    });

    it('decodes all 65536 bfloat16 bit patterns as the upper half of numpy float32', function () {
      const patterns = bytesOfUint16(Array.from({ length: 65536 }, (_, i) => i));
      assertSameBits(decodeElements(patterns, 'bfloat16', true).values, float32High, 'bfloat16 <');
      assertSameBits(decodeElements(reverseEachElement(patterns, 2), 'bfloat16', false).values, float32High, 'bfloat16 >');
    });

    it('decodes float8_e5m2 as the upper byte of a float16', function () {
      const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
      const upper = Array.from({ length: 256 }, (_, i) => float16All[i << 8]);
      assertSameBits(decodeElements(codes, 'float8_e5m2', true).values, upper, 'float8_e5m2');
    });

    for (const [i, sample] of samples.entries()) {
      it(`decodes ${sample.dtype} bytes as numpy does, little- and big-endian`, function () {
        const size = dtypeBytes[sample.dtype];
        const little = decodeElements(sample.littleEndian, sample.dtype, true);
        assertSameBits(little.values, expected[i].values, `${sample.dtype} <`);
        assert.equal(little.inexactCount, expected[i].inexact);
        const big = decodeElements(reverseEachElement(sample.littleEndian, size), sample.dtype, false);
        assertSameBits(big.values, expected[i].values, `${sample.dtype} >`);
        assert.equal(big.inexactCount, expected[i].inexact);
      });
    }

    it('counts the int64 and uint64 values that were rounded', function () {
      const int64 = expected[dtypes.indexOf('int64')];
      const uint64 = expected[dtypes.indexOf('uint64')];
      assert.ok(int64.inexact > 0 && uint64.inexact > 0, 'the samples include values beyond 2^53');
    });

    it('reads elements at an unaligned offset', function () {
      for (const [i, sample] of samples.entries()) {
        const shifted = new Uint8Array(sample.littleEndian.length + 1);
        shifted.set(sample.littleEndian, 1);
        const view = shifted.subarray(1);
        assertSameBits(decodeElements(view, sample.dtype, true).values, expected[i].values, `${sample.dtype} unaligned <`);
        const swapped = new Uint8Array(sample.littleEndian.length + 3);
        swapped.set(reverseEachElement(sample.littleEndian, dtypeBytes[sample.dtype]), 3);
        assertSameBits(decodeElements(swapped.subarray(3), sample.dtype, false).values, expected[i].values, `${sample.dtype} unaligned >`);
      }
    });
  });

  describe('hand-checked tables (OCP 8-bit floating point specification, bfloat16)', function () {
    const e4m3fn: [number, number][] = [
      [0x00, 0], [0x80, -0], [0x01, 0.001953125], [0x07, 0.013671875], [0x08, 0.015625], [0x0f, 0.029296875],
      [0x30, 0.5], [0x38, 1], [0x39, 1.125], [0x3f, 1.875], [0x40, 2], [0x70, 128], [0x77, 240],
      [0x78, 256], [0x7d, 416], [0x7e, 448], [0x7f, NaN], [0x81, -0.001953125], [0xb8, -1], [0xfe, -448], [0xff, NaN],
    ];
    const e5m2: [number, number][] = [
      [0x00, 0], [0x80, -0], [0x01, 0.0000152587890625], [0x03, 0.0000457763671875], [0x04, 0.00006103515625],
      [0x3c, 1], [0x3d, 1.25], [0x3e, 1.5], [0x3f, 1.75], [0x40, 2], [0x7a, 49152], [0x7b, 57344],
      [0x7c, Infinity], [0x7d, NaN], [0x7e, NaN], [0x7f, NaN], [0xbc, -1], [0xfb, -57344], [0xfc, -Infinity], [0xff, NaN],
    ];
    const bfloat16: [number, number][] = [
      [0x0000, 0], [0x8000, -0], [0x0001, 9.183549615799121e-41], [0x007f, 1.1663108012064884e-38],
      [0x0080, 1.1754943508222875e-38], [0x3f80, 1], [0x3fc0, 1.5], [0x4049, 3.140625], [0xc000, -2],
      [0x7f7f, 3.3895313892515355e38], [0xff7f, -3.3895313892515355e38], [0x7f80, Infinity], [0xff80, -Infinity],
      [0x7fc0, NaN], [0x7f81, NaN], [0xffff, NaN],
    ];

    function checkTable(dtype: DType, table: [number, number][]): void {
      const bytes = dtypeBytes[dtype] === 1 ? Uint8Array.from(table.map(([code]) => code)) : bytesOfUint16(table.map(([code]) => code));
      const { values } = decodeElements(bytes, dtype, true);
      table.forEach(([code, value], i) => assert.ok(Object.is(values[i], value), `${dtype} 0x${code.toString(16)} is ${values[i]}, expected ${value}`));
    }

    it('float8_e4m3fn: subnormals from 2^-9, largest 448, S.1111.111 is NaN', () => checkTable('float8_e4m3fn', e4m3fn));
    it('float8_e5m2: subnormals from 2^-16, largest 57344, infinities', () => checkTable('float8_e5m2', e5m2));
    it('bfloat16: subnormals, largest finite, infinities, NaNs', () => checkTable('bfloat16', bfloat16));

    it('float8_e4m3fn has no infinity, two NaNs, and increases with the code', function () {
      const { values } = decodeElements(Uint8Array.from({ length: 256 }, (_, i) => i), 'float8_e4m3fn', true);
      assert.equal(values.filter(Number.isNaN).length, 2);
      assert.ok(values.every((v) => Number.isNaN(v) || Number.isFinite(v)));
      for (let code = 1; code < 0x7f; code++) assert.ok(values[code] > values[code - 1], `0x${code.toString(16)}`);
      for (let code = 0; code < 0x80; code++) assert.ok(Object.is(values[code | 0x80], -values[code]));
    });
  });

  describe('integers and bools', function () {
    it('reads any non-zero bool byte as 1, as numpy does', function () {
      assertSameBits(decodeElements(Uint8Array.from([0, 1, 2, 255]), 'bool', true).values, [0, 1, 1, 1], 'bool');
    });

    it('rounds int64 beyond 2^53 to nearest-even and counts it', function () {
      const bytes = new Uint8Array(8 * 4);
      const view = new DataView(bytes.buffer);
      [2n ** 53n + 1n, 2n ** 53n + 3n, -(2n ** 53n) - 1n, 2n ** 53n].forEach((v, i) => view.setBigInt64(8 * i, v, false));
      const decoded = decodeElements(bytes, 'int64', false);
      assertSameBits(decoded.values, [2 ** 53, 2 ** 53 + 4, -(2 ** 53), 2 ** 53], 'int64');
      assert.equal(decoded.inexactCount, 3);
    });
  });

  describe('decodeElementsInto', function () {
    it('writes chunks at offsets that together equal one whole decode', function () {
      const rng = seedrandom('chunks');
      for (const dtype of ['float16', 'float32', 'int64', 'uint16', 'float8_e4m3fn', 'float64'] as DType[]) {
        const size = dtypeBytes[dtype];
        const bytes = Uint8Array.from({ length: size * 50 }, () => Math.floor(rng() * 256));
        const whole = decodeElements(bytes, dtype, false);
        const out = new Float64Array(52).fill(7);
        let inexact = 0;
        for (const [start, end] of [[0, 13], [13, 14], [14, 50]]) {
          inexact += decodeElementsInto(bytes.subarray(start * size, end * size), dtype, false, out, start + 1);
        }
        assert.equal(out[0], 7);
        assert.equal(out[51], 7);
        assertSameBits(out.subarray(1, 51), whole.values, dtype);
        assert.equal(inexact, whole.inexactCount);
      }
    });

    it('decodes big-endian and unaligned data longer than one internal block as DataView does', function () {
      const rng = seedrandom('blocks');
      const n = 20011;
      const readers: [DType, (view: DataView, offset: number, isLittle: boolean) => number][] = [
        ['int16', (v, o, le) => v.getInt16(o, le)],
        ['uint32', (v, o, le) => v.getUint32(o, le)],
        ['float32', (v, o, le) => v.getFloat32(o, le)],
        ['float64', (v, o, le) => v.getFloat64(o, le)],
        ['int64', (v, o, le) => Number(v.getBigInt64(o, le))],
        ['uint64', (v, o, le) => Number(v.getBigUint64(o, le))],
      ];
      for (const [dtype, read] of readers) {
        const size = dtypeBytes[dtype];
        const padded = Uint8Array.from({ length: n * size + 1 }, () => Math.floor(rng() * 256));
        const bytes = padded.subarray(1);
        const view = new DataView(padded.buffer, 1);
        for (const isLittle of [false, true]) {
          const expected = Array.from({ length: n }, (_, i) => read(view, i * size, isLittle));
          assertSameBits(decodeElements(bytes, dtype, isLittle).values, expected, `${dtype} ${isLittle ? '<' : '>'}`);
        }
      }
    });

    it('refuses a partial element and an output that is too short', function () {
      assert.throws(() => decodeElements(new Uint8Array(5), 'float32', true), RangeError);
      assert.throws(() => decodeElementsInto(new Uint8Array(8), 'float32', true, new Float64Array(2), 1), RangeError);
      assert.throws(() => decodeElementsInto(new Uint8Array(8), 'float32', true, new Float64Array(2), -1), RangeError);
    });

    it('decodes nothing from no bytes', function () {
      assert.equal(decodeElements(new Uint8Array(0), 'int64', true).values.length, 0);
    });
  });
});
