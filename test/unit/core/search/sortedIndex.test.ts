import { strict as assert } from 'node:assert';
import { buildSortedIndex, exactRunLength } from '../../../../src/core/search/sortedIndex';
import { TensorGenerator } from './tensorGenerators';

/** x as an exact multiple of 2^-300 (every float32 and its square are). */
function scaled(x: number): bigint {
  const f = new Float64Array([x]);
  const w = new BigUint64Array(f.buffer)[0];
  const exponent = Number((w >> 52n) & 0x7ffn);
  const mantissa = (w & ((1n << 52n) - 1n)) | (exponent === 0 ? 0n : 1n << 52n);
  const e2 = (exponent === 0 ? 1 : exponent) - 1075 + 300;
  const m = e2 >= 0 ? mantissa << BigInt(e2) : mantissa >> BigInt(-e2);
  return x < 0 ? -m : m;
}

describe('sorted index', function () {
  it('sums blocks of float32 values of one sign and one exponent exactly in plain float64', function () {
    const g = new TensorGenerator('index-exact');
    for (let trial = 0; trial < 2000; trial++) {
      const e = g.int(-60, 60);
      const sign = g.pick([1, -1]);
      const x = new Float32Array(exactRunLength);
      for (let i = 0; i < exactRunLength; i++) x[i] = sign * 2 ** e * (1 + g.uniform() * (1 - 2 ** -23));
      x.sort();
      let s1 = 0;
      let s2 = 0;
      let e1 = 0n;
      let e2 = 0n;
      for (const v of x) {
        s1 += v;
        s2 += v * v;
        e1 += scaled(v);
        e2 += scaled(v * v);
      }
      assert.equal(scaled(s1), e1, `Σx, exponent ${e}`);
      assert.equal(scaled(s2), e2, `Σx², exponent ${e}`);
    }
  });

  it('a float32 index and a float64 index of the same values give the same sums to double-double precision', function () {
    const g = new TensorGenerator('index-f32-f64');
    for (const kind of ['normal', 'studentT3', 'wideMagnitudes', 'integers', 'tiny']) {
      const sorted = Float32Array.from(g.tensor(20000, kind).values).sort();
      const a = buildSortedIndex(sorted);
      const b = buildSortedIndex(Float64Array.from(sorted));
      for (let k = 0; k < a.local.length; k += 2) {
        const x = a.local[k] + a.local[k + 1];
        const y = b.local[k] + b.local[k + 1];
        assert.ok(Math.abs(x - y) <= 1e-15 * Math.max(Math.abs(x), Math.abs(y), 1e-300), `${kind} local[${k}]: ${x} vs ${y}`);
      }
      assert.ok(Math.abs(a.signalSquares - b.signalSquares) <= 1e-15 * b.signalSquares, kind);
    }
  });
});
