import { strict as assert } from 'node:assert';
import { PreparedValues } from '../../../../src/core/quant/preparedValues';
import { lowerBound, lowerBoundSampled, upperBound, upperBoundSampled } from '../../../../src/core/search/rangeEvaluator';
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
          assert.equal(upperBoundSampled(v, index, x, from, to), upperBound(v, x, from, to), `${where} upper`);
        }
        for (const x of [-Infinity, Infinity, -0, 0, v[0], v[n - 1]]) {
          assert.equal(lowerBoundSampled(v, index, x, 0, n), lowerBound(v, x, 0, n), `${kind} n=${n} x=${x} lower`);
          assert.equal(upperBoundSampled(v, index, x, 0, n), upperBound(v, x, 0, n), `${kind} n=${n} x=${x} upper`);
        }
      }
    }
  });
});
