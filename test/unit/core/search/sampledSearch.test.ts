import { strict as assert } from 'node:assert';
import { PreparedValues } from '../../../../src/core/quant/preparedValues';
import { lowerBound, lowerBoundSampled, nextUp, upperBound, upperBoundSampled } from '../../../../src/core/search/rangeEvaluator';
import type { FloatValues } from '../../../../src/core/quant/metrics';

/** Where the values > x start in a sorted range, by counting: the reference for upperBound. */
function countedUpper(v: FloatValues, x: number, from: number, to: number): number {
  let i = from;
  while (i < to && v[i] <= x) i++;
  return i;
}
import { sampleStride, sortedIndexOf } from '../../../../src/core/search/sortedIndex';
import { TensorGenerator } from './tensorGenerators';

describe('searches through the sorted index\'s samples', function () {
  it('equal plain binary searches for every range and value, duplicates and ±0 included', function () {
    const g = new TensorGenerator('sampled');
    for (const kind of ['normal', 'integers', 'zeros', 'sortedRuns', 'fewValues', 'constant']) {
      for (const n of [1, 63, 64, 65, 4095, 4096, 4097, 9000, 70000]) {
        const prepared = new PreparedValues(g.tensor(n, kind).values, kind);
        const index = sortedIndexOf(prepared);
        const v = index.sorted;
        assert.equal(index.samples.length, Math.ceil(n / sampleStride));
        for (let trial = 0; trial < 300; trial++) {
          const from = g.int(0, n);
          const to = g.int(from, n);
          const x = g.uniform() < 0.5 ? v[g.int(0, n - 1)] : v[g.int(0, n - 1)] + (g.uniform() - 0.5);
          const where = `${kind} n=${n} [${from}, ${to}) x=${x}`;
          assert.equal(lowerBoundSampled(v, index, x, from, to), lowerBound(v, x, from, to), `${where} lower`);
          assert.equal(upperBoundSampled(v, index, x, from, to), countedUpper(v, x, from, to), `${where} upper`);
          assert.equal(upperBound(v, x, from, to), countedUpper(v, x, from, to), `${where} plain upper`);
        }
        for (const x of [-Infinity, Infinity, -0, 0, v[0], v[n - 1]]) {
          assert.equal(lowerBoundSampled(v, index, x, 0, n), lowerBound(v, x, 0, n), `${kind} n=${n} x=${x} lower`);
          assert.equal(upperBoundSampled(v, index, x, 0, n), countedUpper(v, x, 0, n), `${kind} n=${n} x=${x} upper`);
          assert.equal(upperBound(v, x, 0, n), countedUpper(v, x, 0, n), `${kind} n=${n} x=${x} plain upper`);
        }
      }
    }
  });

  it('step to the next double above x: nextUp, the bound behind every upper search', function () {
    const words = new Float64Array(1);
    const bits = new BigInt64Array(words.buffer);
    const g = new TensorGenerator('next-up');
    const xs = [1, -1, 0.1, -0.1, 1.5, -2, 2 ** 32, -(2 ** 32), Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 2 ** -1022, -(2 ** -1022)];
    for (let i = 0; i < 2000; i++) xs.push((g.uniform() - 0.5) * 10 ** g.int(-300, 300));
    for (const x of xs) {
      const y = nextUp(x);
      assert.ok(y > x, `${x} -> ${y}`);
      // Nothing lies between: the two are one unit of the last place apart, as integers of the same sign order.
      words[0] = x;
      const a = bits[0];
      words[0] = y;
      const b = bits[0];
      if (x > 0 || Object.is(y, -0)) assert.equal(x > 0 ? b - a : 1n, 1n, `${x}`);
      else assert.equal(a - b, 1n, `${x}`);
    }
    assert.equal(nextUp(0), Number.MIN_VALUE);
    assert.equal(nextUp(-0), Number.MIN_VALUE);
    assert.equal(nextUp(Infinity), Infinity);
    assert.equal(nextUp(-Infinity), -Number.MAX_VALUE);
    assert.ok(Number.isNaN(nextUp(NaN)));
  });
});
