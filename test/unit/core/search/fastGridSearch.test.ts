import { strict as assert } from 'node:assert';
import { CancelledError } from '../../../../src/core/errors';
import { objectives, type Metrics } from '../../../../src/core/quant/metrics';
import { PreparedValues } from '../../../../src/core/quant/preparedValues';
import { pickBest, type EvaluatedCandidate } from '../../../../src/core/search/candidate';
import { directGridSearch } from '../../../../src/core/search/directGridSearch';
import { fastGridSearch } from '../../../../src/core/search/fastGridSearch';
import { defaultGrid, gridCandidates } from '../../../../src/core/search/gridSpec';
import { chooseParams } from '../../../../src/core/quant/clipRange';
import { RangeEvaluator } from '../../../../src/core/search/rangeEvaluator';
import { sortedIndexOf } from '../../../../src/core/search/sortedIndex';
import { measureDirect } from '../../../../src/core/quant/metrics';
import { TensorGenerator, tensorKinds } from './tensorGenerators';

/** The contract's tolerance between the fast engine and the direct pass. */
const tolerance = 1e-12;

function close(a: number, b: number, what: string): void {
  // The direct pass gives NaN where squares overflow (|x| near 1e300); the fast one must say the same.
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return;
  assert.ok(Number.isFinite(a) && Number.isFinite(b), `${what}: ${a} vs ${b}`);
  assert.ok(Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b)), `${what}: ${a} vs ${b}`);
}

/** Every metric to 1e-12 relative; counts and maxAbsError exactly; sqnrDb near 0 dB to 1e-12 dB. */
export function assertSameMetrics(fast: Metrics, direct: Metrics, where: string): void {
  close(fast.mse, direct.mse, `${where} mse`);
  close(fast.mae, direct.mae, `${where} mae`);
  close(fast.mseInliers, direct.mseInliers, `${where} mseInliers`);
  assert.equal(fast.maxAbsError, direct.maxAbsError, `${where} maxAbsError`);
  assert.equal(fast.clippedCount, direct.clippedCount, `${where} clippedCount`);
  assert.equal(fast.clippedFraction, direct.clippedFraction, `${where} clippedFraction`);
  if (fast.sqnrDb !== direct.sqnrDb && !(Number.isNaN(fast.sqnrDb) && Number.isNaN(direct.sqnrDb))) {
    const scale = Math.max(1, Math.abs(direct.sqnrDb));
    assert.ok(Math.abs(fast.sqnrDb - direct.sqnrDb) <= tolerance * scale, `${where} sqnrDb: ${fast.sqnrDb} vs ${direct.sqnrDb}`);
  }
}

function assertSameSearch(fast: EvaluatedCandidate[], direct: EvaluatedCandidate[], where: string): void {
  assert.equal(fast.length, direct.length);
  for (let i = 0; i < fast.length; i++) {
    assert.equal(fast[i].percentile, direct[i].percentile);
    assert.deepEqual(fast[i].params, direct[i].params);
    assertSameMetrics(fast[i].metrics, direct[i].metrics, `${where} P=${fast[i].percentile}`);
  }
  for (const objective of objectives) {
    assert.equal(pickBest(fast, objective).percentile, pickBest(direct, objective).percentile, `${where} winner for ${objective}`);
  }
}

const randomGrid = (g: TensorGenerator): number[] => {
  const out = new Set<number>([100, 99.99, 99.9, 99]);
  for (let i = 0; i < 12; i++) out.add(Number((50.0001 + 49.9999 * g.uniform() ** 0.2).toFixed(6)));
  return [...out].sort((a, b) => a - b);
};

describe('fast grid search against the direct pass', function () {
  it('agrees on every kind of tensor, bits 2..16, small n (value-by-value and direct paths)', function () {
    const g = new TensorGenerator('fast-small');
    for (const kind of tensorKinds) {
      for (const n of [1, 2, 3, 4, 7, 31, 100, 333]) {
        const bits = g.int(2, 16);
        const { values } = g.tensor(n, kind);
        const prepared = new PreparedValues(values, kind);
        const grid = randomGrid(g);
        const where = `${kind} n=${n} bits=${bits}`;
        assertSameSearch(fastGridSearch(prepared, bits, grid, 3), directGridSearch(new PreparedValues(values, kind), bits, grid, 3), where);
      }
    }
  });

  it('agrees where block sums are used: runs longer than blocks, every kind, bits 2..12', function () {
    const g = new TensorGenerator('fast-blocks');
    let blockEvaluations = 0;
    for (const kind of tensorKinds) {
      for (const bits of [2, 3, 5, 8, 10, 12]) {
        const n = bits >= 10 ? 20000 : g.pick([3000, 9001]);
        const { values, kind: k } = g.tensor(n, kind);
        const outlierK = g.pick([1.5, 3]);
        const candidates = gridCandidates(defaultGrid).filter((_, i) => i % 10 === 0 || i > 95).concat(randomGrid(g).slice(4, 8));
        const prepared = new PreparedValues(values, kind);
        const fast = fastGridSearch(prepared, bits, candidates, outlierK);
        const direct = directGridSearch(new PreparedValues(values, kind), bits, candidates, outlierK);
        assertSameSearch(fast, direct, `${k} n=${n} bits=${bits}`);
        // Block sums forced on, below the speed crossover too: exact all the same.
        const fences = prepared.fences(outlierK);
        const evaluator = new RangeEvaluator(sortedIndexOf(prepared), fences, prepared.finite);
        for (const c of direct) assertSameMetrics(evaluator.measure(c.params, true), c.metrics, `${k} n=${n} bits=${bits} blocks P=${c.percentile}`);
        blockEvaluations += evaluator.blockEvaluations;
      }
    }
    assert.ok(blockEvaluations > 500, `only ${blockEvaluations} candidates were measured by block sums`);
  });

  it('certifies block sums on ordinary data and falls back value by value on data sitting on the codes', function () {
    const g = new TensorGenerator('fast-cert');
    const normal = new PreparedValues(g.tensor(50000, 'normal').values, 'normal');
    const onCodes = new PreparedValues(g.tensor(50000, 'codeGrid').values, 'codes');
    for (const [prepared, expectBlocks] of [[normal, true], [onCodes, false]] as const) {
      const fences = prepared.fences(3);
      const evaluator = new RangeEvaluator(sortedIndexOf(prepared), fences, prepared.finite);
      const params = chooseParams(prepared, { bits: 8, range: 'percentile', percentile: 100 });
      assertSameMetrics(evaluator.measure(params, true), measureDirect(prepared.finite, params, fences), prepared.tensorName);
      assert.equal(evaluator.blockEvaluations, expectBlocks ? 1 : 0);
    }
  });

  it('stops with CancelledError when aborted after the first progress report', function () {
    const g = new TensorGenerator('fast-cancel');
    const prepared = new PreparedValues(g.tensor(30000, 'normal').values, 't');
    const signal = { aborted: false };
    let reports = 0;
    assert.throws(
      () => fastGridSearch(prepared, 8, gridCandidates(defaultGrid), 3, { signal, onProgress: () => { reports++; signal.aborted = true; } }),
      CancelledError,
    );
    assert.equal(reports, 1);
  });

  it('stops inside the sort when already aborted', function () {
    const prepared = new PreparedValues(new TensorGenerator('s').tensor(100000, 'normal').values, 't');
    assert.throws(() => prepared.sortWith({ signal: { aborted: true } }), CancelledError);
  });
});
