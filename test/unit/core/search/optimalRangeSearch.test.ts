import { strict as assert } from 'node:assert';
import { CancelledError } from '../../../../src/core/errors';
import { affineParams } from '../../../../src/core/quant/affineParams';
import { isMaximised, measureDirect, type Objective } from '../../../../src/core/quant/metrics';
import { PreparedValues } from '../../../../src/core/quant/preparedValues';
import { pickBest } from '../../../../src/core/search/candidate';
import { directGridSearch } from '../../../../src/core/search/directGridSearch';
import { defaultGrid, gridCandidates, ninesCandidates } from '../../../../src/core/search/gridSpec';
import { optimalRangeSearch, percentRank } from '../../../../src/core/search/optimalRangeSearch';
import { TensorGenerator, tensorKinds } from './tensorGenerators';

const notWorse = (a: number, b: number, objective: Objective) => (isMaximised(objective) ? a >= b : a <= b);

describe('optimal range search', function () {
  it('is never worse than the best grid candidate nor than min-max (property, every kind of tensor)', function () {
    const g = new TensorGenerator('optimal');
    const grid = gridCandidates({ from: 90, to: 100, step: 0.5 });
    for (const kind of tensorKinds) {
      for (let trial = 0; trial < 3; trial++) {
        const n = g.pick([1, 2, 5, 60, 700, 3000]);
        const bits = g.pick([2, 4, 8, 8, 12]);
        const objective = g.pick<Objective>(['mse', 'mse', 'mae', 'sqnrDb', 'mseInliers', 'maxAbsError']);
        const { values } = g.tensor(n, kind);
        const prepared = new PreparedValues(values, kind);
        const result = optimalRangeSearch(prepared, bits, objective, 3, {}, { seedPercentiles: grid, maxEvaluations: 150 });
        const where = `${kind} n=${n} bits=${bits} ${objective}`;
        const value = result.best.metrics[objective];
        if (Number.isNaN(value)) continue; // |x| near 1e300: the direct pass itself has no figure
        for (const candidates of [grid, gridCandidates(defaultGrid)]) {
          const best = pickBest(directGridSearch(new PreparedValues(values, kind), bits, candidates, 3), objective);
          assert.ok(notWorse(value, best.metrics[objective], objective), `${where}: ${value} vs grid ${best.metrics[objective]}`);
        }
        const minmax = measureDirect(prepared.finite, affineParams(prepared.min, prepared.max, bits), prepared.fences(3));
        assert.ok(notWorse(value, minmax[objective], objective), `${where}: ${value} vs min-max ${minmax[objective]}`);
        assert.ok(result.path.length >= 1);
        assert.ok(result.best.lowerPercentile >= 0 && result.best.upperPercentile <= 100 && result.best.lowerPercentile <= result.best.upperPercentile);
      }
    }
  });

  it('finds a better range than the default grid on a heavy-tailed tensor, and its metrics are the direct pass', function () {
    const { values } = new TensorGenerator('t3').tensor(20000, 'studentT3');
    const prepared = new PreparedValues(values, 't');
    const result = optimalRangeSearch(prepared, 8, 'mse', 3);
    const grid = pickBest(directGridSearch(new PreparedValues(values, 't'), 8, gridCandidates(defaultGrid), 3), 'mse');
    assert.ok(result.best.metrics.mse < grid.metrics.mse);
    const params = affineParams(result.best.clipMin, result.best.clipMax, 8);
    assert.deepEqual(result.best.metrics, measureDirect(prepared.finite, params, prepared.fences(3)));
    const last = result.path[result.path.length - 1];
    assert.ok(Math.abs(last.value - result.best.metrics.mse) <= 1e-12 * result.best.metrics.mse);
    assert.equal(last.clipMax, result.best.clipMax);
  });

  it('stops with CancelledError when aborted after the first progress report', function () {
    const prepared = new PreparedValues(new TensorGenerator('c').tensor(20000, 'laplace').values, 't');
    const signal = { aborted: false };
    assert.throws(() => optimalRangeSearch(prepared, 8, 'mse', 3, { signal, onProgress: () => { signal.aborted = true; } }), CancelledError);
  });

  it('maps a range end back to the percentile whose linear-rule value it is', function () {
    const prepared = new PreparedValues(Float64Array.from([0, 10, 20, 30, 40]), 't');
    const sorted = prepared.sorted;
    for (const p of [0, 12.5, 25, 60, 99, 100]) assert.ok(Math.abs(percentRank(sorted, prepared.percentile(p)) - p) < 1e-12);
    assert.equal(percentRank(sorted, -5), 0);
    assert.equal(percentRank(sorted, 45), 100);
  });
});

describe('grids', function () {
  it('nines stop where the clipped tail holds less than one value', function () {
    assert.deepEqual(ninesCandidates(10), [99, 100]);
    assert.deepEqual(ninesCandidates(1001), [99, 99.9, 100]);
    assert.deepEqual(ninesCandidates(10_000_000), [99, 99.9, 99.99, 99.999, 99.9999, 100]);
    assert.deepEqual(ninesCandidates(10_000_001), [99, 99.9, 99.99, 99.999, 99.9999, 99.99999, 100]);
  });
});
