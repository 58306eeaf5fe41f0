import { strict as assert } from 'node:assert';
import { chooseParams } from '../../../../src/core/quant/clipRange';
import { measureDirect } from '../../../../src/core/quant/metrics';
import { PreparedValues } from '../../../../src/core/quant/preparedValues';
import { momentSums, statsFromMoments, summaryStats } from '../../../../src/core/quant/summaryStats';
import { bucketedMeasureApplies, bucketedMoments, measureBucketed, searchSorts } from '../../../../src/core/search/bucketedMeasure';
import { BucketedValues } from '../../../../src/core/search/bucketedValues';
import { defaultGrid, gridCandidates } from '../../../../src/core/search/gridSpec';
import { Float32RadixSorter } from '../../../../src/core/search/radixSort';
import { assertSameMetrics } from './fastGridSearch.test';
import { TensorGenerator, tensorKinds } from './tensorGenerators';

/** The finite float32 values of `values`, left in their radix buckets as a streamed read leaves them. */
function bucketize(values: Float64Array): BucketedValues {
  const bits = new Int32Array(Float32Array.from(values).buffer);
  const sorter = new Float32RadixSorter();
  sorter.count(bits);
  sorter.beginLow16();
  sorter.scatterLow16(bits);
  const { low, starts } = sorter.low16Buckets();
  return new BucketedValues(low, starts);
}

/** A PreparedValues over bucketed values, as Float32StreamPreparer builds it. */
function preparedOf(bucketed: BucketedValues, name: string): PreparedValues {
  const facts = { nanCount: 0, posInfCount: 0, negInfCount: 0, min: bucketed.valueAtRank(0), max: bucketed.valueAtRank(bucketed.n - 1) };
  return new PreparedValues(bucketed, name, undefined, facts);
}

/** Float32 values of a generated tensor (kinds beyond float32's range become ±Inf, and are left out). */
function float32Tensor(g: TensorGenerator, n: number, kind: string): Float64Array {
  return Float64Array.from(g.tensor(n, kind).values, (x) => Math.fround(x)).filter((x) => Number.isFinite(x));
}

describe('grid ranges measured bucket by bucket, without a sort', function () {
  it('gives the direct pass\'s metrics on every kind of tensor, bits 2..12', function () {
    this.timeout(60_000);
    const g = new TensorGenerator('bucketed-measure');
    let certified = 0;
    let total = 0;
    for (const kind of tensorKinds) {
      for (const bits of [2, 3, 5, 8, 10, 12]) {
        const values = float32Tensor(g, g.pick([1, 2, 5, 300, 4000, 20000]), kind);
        if (values.length === 0) continue;
        const whole = new PreparedValues(values, kind);
        const bucketed = bucketize(values);
        const prepared = preparedOf(bucketed, kind);
        const outlierK = g.pick([1.5, 3]);
        const fences = prepared.fences(outlierK);
        assert.deepEqual(fences, whole.fences(outlierK), `${kind} fences`);
        const grid = gridCandidates(defaultGrid).filter((_, i) => i % 7 === 0 || i > 97).concat([50.5, 75, 90]);
        const params = grid.map((percentile) => chooseParams(prepared, { bits, range: 'percentile', percentile }));
        params.push(chooseParams(prepared, { bits, range: 'minmax', percentile: 100 }));
        // The same ranges as a sorted copy gives.
        for (let i = 0; i < grid.length; i++) assert.deepEqual(params[i], chooseParams(whole, { bits, range: 'percentile', percentile: grid[i] }));
        const measured = measureBucketed(bucketed, params, fences);
        params.forEach((p, i) => assertSameMetrics(measured[i], measureDirect(whole.finite, p, fences), `${kind} n=${values.length} bits=${bits} range ${i}`));
        total += params.length;
        certified += params.length;
      }
    }
    assert.ok(total > 1000, `${total} ranges`);
    assert.ok(certified > 0);
  });

  it('gives every order statistic of the sorted copy, sorting only the buckets asked for', function () {
    const g = new TensorGenerator('bucketed-ranks');
    for (const kind of ['normal', 'integers', 'zeros', 'wideMagnitudes', 'negative']) {
      const values = float32Tensor(g, 5000, kind);
      const sorted = Float64Array.from(values).sort();
      const bucketed = bucketize(values);
      for (let k = 0; k < 200; k++) {
        const rank = g.int(0, values.length - 1);
        assert.ok(Object.is(bucketed.valueAtRank(rank), sorted[rank]), `${kind} rank ${rank}`);
      }
      const prepared = preparedOf(bucketed, kind);
      const whole = new PreparedValues(values, kind);
      for (const p of [0, 0.01, 1, 25, 50, 75, 99, 99.99, 100]) assert.ok(Object.is(prepared.percentile(p), whole.percentile(p)), `${kind} P${p}`);
      // Sorting everything afterwards gives the sorted copy.
      assert.deepEqual(Array.from(prepared.sorted), Array.from(sorted));
    }
  });

  it('orders the values of large buckets of either sign (counting sorts) as a sort does', function () {
    const g = new TensorGenerator('bucketed-large-buckets');
    // Few buckets of thousands of values each, both signs, ties, ±0.
    const values = Float64Array.from({ length: 60_000 }, (_, i) => Math.fround((i % 2 === 0 ? 1 : -1) * (i % 7 === 0 ? 0 : 1 + g.int(0, 30_000) / 2 ** 20)));
    const sorted = Float64Array.from(values).sort();
    const bucketed = bucketize(values);
    for (let rank = 0; rank < values.length; rank += 7) assert.ok(Object.is(bucketed.valueAtRank(rank), sorted[rank]), `rank ${rank}`);
    assert.ok(Object.is(bucketed.valueAtRank(values.length - 1), sorted[values.length - 1]));
  });

  it('sums every value exactly: the moments give numpy\'s mean and std as a whole read does', function () {
    const g = new TensorGenerator('bucketed-moments');
    for (const kind of tensorKinds) {
      const values = float32Tensor(g, 3000, kind);
      if (values.length === 0) continue;
      const bucketed = bucketize(values);
      const m = bucketedMoments(bucketed);
      const expected = momentSums(values);
      assert.ok(Math.abs((m.sumHi + m.sumLo) - (expected.sumHi + expected.sumLo)) <= 1e-15 * Math.abs(expected.sumHi) + 1e-300, `${kind} Σx`);
      assert.ok(Math.abs((m.squaresHi + m.squaresLo) - (expected.squaresHi + expected.squaresLo)) <= 1e-15 * expected.squaresHi, `${kind} Σx²`);
      const whole = new PreparedValues(values, kind);
      assert.deepEqual(statsFromMoments(m, values.length, whole.min, whole.max), summaryStats(whole), `${kind} stats`);
    }
  });

  it('sums a bucket of more than 2^21 values exactly (it is summed in spans)', function () {
    this.timeout(30_000);
    const n = (1 << 21) + 5000;
    // Every value in the bucket of 1.0 (the same 7 leading mantissa bits), the low 16 bits varying.
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = 1 + ((i * 7919) % 65536) * 2 ** -23;
    const bucketed = bucketize(values);
    const prepared = preparedOf(bucketed, 'one bucket');
    const fences = prepared.fences(3);
    const params = [chooseParams(prepared, { bits: 8, range: 'minmax', percentile: 100 }), chooseParams(prepared, { bits: 4, range: 'percentile', percentile: 99 })];
    const measured = measureBucketed(bucketed, params, fences);
    params.forEach((p, i) => assertSameMetrics(measured[i], measureDirect(values, p, fences), `range ${i}`));
  });

  it('stops with CancelledError when cancelled during the pass over the buckets', function () {
    const g = new TensorGenerator('bucketed-cancel');
    const values = float32Tensor(g, 600_000, 'normal');
    const bucketed = bucketize(values);
    const prepared = preparedOf(bucketed, 'normal');
    const params = [99, 99.9, 100].map((percentile) => chooseParams(prepared, { bits: 8, range: 'percentile', percentile }));
    let reports = 0;
    const signal = { aborted: false };
    assert.throws(() => measureBucketed(bucketed, params, prepared.fences(3), {
      signal,
      onProgress: () => {
        if (++reports === 1) signal.aborted = true;
      },
    }), { name: 'CancelledError' });
    assert.ok(reports >= 1);
    // Uncancelled, progress runs forward within [0, 1].
    const seen: number[] = [];
    measureBucketed(bucketed, params, prepared.fences(3), { onProgress: (f) => seen.push(f) });
    assert.ok(seen.length > 1 && seen.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= seen[i - 1])), seen.join(' '));
  });

  it('applies where threshold keys stay few against the values; a search sorts otherwise, and for the optimal method', function () {
    assert.ok(bucketedMeasureApplies(1e7, 8, 101));
    assert.ok(!bucketedMeasureApplies(1e7, 16, 101));
    assert.ok(!bucketedMeasureApplies(1e4, 8, 101));
    assert.equal(searchSorts('grid', 8, '99:100:0.01', 1e7), false);
    assert.equal(searchSorts('grid', 8, 'nines', 1e7), false);
    assert.equal(searchSorts('grid', 16, '99:100:0.01', 1e7), true);
    assert.equal(searchSorts('grid', 8, '99:100:0.01', 1e4), true);
    assert.equal(searchSorts('optimal', 8, '99:100:0.01', 1e7), true);
    // An ill-formed grid: the search itself reports it.
    assert.equal(searchSorts('grid', 8, '99:100', 1e7), false);
  });
});
