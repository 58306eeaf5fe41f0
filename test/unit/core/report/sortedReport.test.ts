import { strict as assert } from 'node:assert';
import { chooseParams } from '../../../../src/core/quant/clipRange';
import { addQuantizationErrors, codeLevelsAndErrorRange, defaultHistogramBins, groupCodeLevels, histogram, HistogramBins } from '../../../../src/core/quant/histogram';
import { measureDirect } from '../../../../src/core/quant/metrics';
import { buildQuantizeReport, prepareSubject } from '../../../../src/core/report/buildReports';
import type { QuantizeReport } from '../../../../src/core/report/reportTypes';
import { sortedIndexOf } from '../../../../src/core/search/sortedIndex';
import { TensorGenerator, tensorKinds } from '../search/tensorGenerators';

/**
 * A report from the sorted index, and what the value-by-value passes give on the same values in element
 * order: its histograms and the direct pass's metrics (a report on a tensor that is sorted takes its
 * histograms from the sorted values, so the reference is built from the passes themselves).
 */
function bothReports(values: Float64Array, options: { bits: number; range: 'minmax' | 'percentile'; percentile: number }) {
  const tensor = { name: 't', dtype: 'float64' as const, shape: [values.length], count: values.length, byteSize: values.length * 8, values, warnings: [] };
  const subject = prepareSubject(tensor);
  sortedIndexOf(subject.prepared);
  const sorted = buildQuantizeReport(subject, options);
  const { prepared } = prepareSubject(tensor);
  const params = chooseParams(prepared, options);
  const { levels, min, max } = codeLevelsAndErrorRange(values, params);
  const errors = new HistogramBins(min, max, defaultHistogramBins);
  addQuantizationErrors(errors, values, params);
  const direct = {
    ...sorted,
    metrics: measureDirect(prepared.finite, params, prepared.fences()),
    histograms: { values: histogram(values, prepared.min, prepared.max), codes: groupCodeLevels(levels), errors: errors.result() },
  };
  return { direct, sorted };
}

/** Within the contract's 1e-12 of the direct pass, and exact where the direct pass is exact (maxAbsError, counts). */
function assertSameReport(sorted: QuantizeReport, direct: QuantizeReport, label: string): void {
  assert.deepStrictEqual(sorted.histograms, direct.histograms, `${label}: histograms`);
  const a = sorted.metrics;
  const b = direct.metrics;
  assert.equal(a.maxAbsError, b.maxAbsError, `${label}: maxAbsError`);
  assert.equal(a.clippedCount, b.clippedCount, `${label}: clippedCount`);
  for (const key of ['mse', 'mae', 'mseInliers'] as const) {
    assert.ok(Math.abs(a[key] - b[key]) <= 1e-12 * Math.abs(b[key]) || (a[key] === b[key]), `${label}: ${key} ${a[key]} vs ${b[key]}`);
  }
  assert.ok(Math.abs(a.sqnrDb - b.sqnrDb) <= 1e-9 || a.sqnrDb === b.sqnrDb, `${label}: sqnrDb ${a.sqnrDb} vs ${b.sqnrDb}`);
}

describe('a quantize report from the sorted index', function () {
  this.timeout(60_000);

  it('has the value-by-value report\'s histograms exactly and its metrics to 1e-12, on every kind of tensor and bit width', function () {
    const g = new TensorGenerator('sorted-report');
    for (const kind of tensorKinds) {
      for (let round = 0; round < 3; round++) {
        const n = g.pick([1, 2, 7, 500, 4000, 40_000]);
        const { values } = g.tensor(n, kind);
        const bits = g.pick([2, 3, 4, 8, 8, 12, 16]);
        const options = g.uniform() < 0.3
          ? { bits, range: 'minmax' as const, percentile: 100 }
          : { bits, range: 'percentile' as const, percentile: g.pick([50.5, 90, 99, 99.9, 99.99, 100]) };
        const { direct, sorted } = bothReports(values, options);
        assertSameReport(sorted, direct, `${kind} n=${n} ${bits} bits ${options.range} ${options.percentile}`);
      }
    }
  });

  it('counts values sitting exactly on code boundaries and bin edges as the value-by-value passes do', function () {
    // Codes 0..255 of a range [0, 255] at 8 bits put every value on a code, and half-steps on the
    // rounding boundary (half to even); values repeated so that each run is long.
    const values = new Float64Array(256 * 2 * 20);
    for (let i = 0; i < values.length; i++) values[i] = Math.floor(i / 20) / 2;
    for (const options of [{ bits: 8, range: 'minmax' as const, percentile: 100 }, { bits: 4, range: 'percentile' as const, percentile: 97.3 }]) {
      const { direct, sorted } = bothReports(values, options);
      assertSameReport(sorted, direct, `grid ${options.bits} bits`);
    }
  });
});
