import { strict as assert } from 'node:assert';
import seedrandom from 'seedrandom';
import { memoryByteSource } from '../../../../src/core/byteSource';
import { encodeNpy } from '../../../../src/core/formats/npyWriter';
import { openTensorFile } from '../../../../src/core/formats/openTensorFile';
import type { TensorChunk, TensorFile } from '../../../../src/core/formats/tensorFile';
import type { Metrics } from '../../../../src/core/quant/metrics';
import { buildQuantizeReport, buildSearchReport, prepareSubject } from '../../../../src/core/report/buildReports';
import { streamQuantizeReport } from '../../../../src/core/report/streamingQuantizeReport';

/** Values whose squares overflow float64 (|x| up to 1e154·10) while every metric is well inside it. */
function hugeValues(seed: string, n: number, magnitude: number): Float64Array {
  const rng = seedrandom(seed);
  return Float64Array.from({ length: n }, () => (rng() - 0.4) * magnitude);
}

function close(a: number, b: number, where: string): void {
  assert.ok(Number.isFinite(a) && Math.abs(a - b) <= 1e-12 * Math.abs(b), `${where}: ${a} vs ${b}`);
}

/** Every metric of `m` equals that of the same tensor scaled down by 2^k, scaled back (metrics are scale-equivariant). */
function sameAsScaled(m: Metrics, small: Metrics, k: number, where: string): void {
  const up = 2 ** k;
  close(m.mse, small.mse * up * up, `${where} mse`);
  close(m.mae, small.mae * up, `${where} mae`);
  close(m.maxAbsError, small.maxAbsError * up, `${where} maxAbsError`);
  close(m.mseInliers, small.mseInliers * up * up, `${where} mseInliers`);
  close(m.sqnrDb, small.sqnrDb, `${where} sqnrDb`);
  assert.equal(m.clippedCount, small.clippedCount, `${where} clipped`);
}

/** The tensor as a file that streams it in chunks of 1000. */
function chunked(values: Float64Array): TensorFile {
  const info = { name: 'huge', dtype: 'float64' as const, shape: [values.length], count: values.length, byteSize: values.length * 8 };
  return {
    format: 'npy',
    tensors: [info],
    read: async () => ({ ...info, values: Float64Array.from(values), warnings: [] }),
    readChunks: () => ({
      warnings: [],
      async *[Symbol.asyncIterator](): AsyncGenerator<TensorChunk> {
        for (let start = 0; start < values.length; start += 1000) yield { start, values: values.slice(start, start + 1000) };
      },
    }),
  };
}

async function fileOf(values: Float64Array) {
  return openTensorFile(memoryByteSource(encodeNpy(values, [values.length], 'float64'), 'huge.npy'));
}

describe('magnitudes whose squares overflow float64', function () {
  const k = 200;
  for (const magnitude of [3e154, 1e156]) {
    it(`${magnitude}: no NaN anywhere, and the figures of the tensor scaled down by 2^${k}, scaled back`, async function () {
      const values = hugeValues(`huge-${magnitude}`, 20_000, magnitude);
      const small = values.map((x) => x * 2 ** -k);
      const file = await fileOf(values);
      const smallFile = await fileOf(small);
      for (const options of [{ bits: 8, range: 'minmax' as const, percentile: 99 }, { bits: 8, range: 'percentile' as const, percentile: 99.5 }]) {
        const where = `${magnitude} ${options.range}`;
        const whole = buildQuantizeReport(prepareSubject(await file.read('huge')), options);
        const reference = buildQuantizeReport(prepareSubject(await smallFile.read('huge')), options);
        sameAsScaled(whole.metrics, reference.metrics, k, `${where} whole`);
        close(whole.tensor.stats.std, reference.tensor.stats.std * 2 ** k, `${where} std`);
        close(whole.tensor.stats.mean, reference.tensor.stats.mean * 2 ** k, `${where} mean`);
        const streamed = await streamQuantizeReport(chunked(values), 'huge', options, { histogramBins: 16 });
        const streamedWhole = buildQuantizeReport(prepareSubject(await file.read('huge')), options, { histogramBins: 16 });
        assert.deepStrictEqual(streamed, streamedWhole, `${where}: streamed equals whole, bit for bit`);
      }
      const search = await buildSearchReport(prepareSubject(await file.read('huge')), { bits: 8, grid: { from: 99, to: 100, step: 0.1 }, objective: 'mse' });
      const smallSearch = await buildSearchReport(prepareSubject(await smallFile.read('huge')), { bits: 8, grid: { from: 99, to: 100, step: 0.1 }, objective: 'mse' });
      assert.equal(search.best.percentile, smallSearch.best.percentile);
      sameAsScaled(search.best.metrics, smallSearch.best.metrics, k, `${magnitude} search best`);
      for (const point of search.curve) assert.ok(!Number.isNaN(point.value), `${magnitude} curve at ${point.percentile}`);
    });
  }

  it('reports Infinity, not NaN, where the error itself is beyond float64', function () {
    const values = Float64Array.of(-1.7e308, 1.7e308, 0, 1e308, -3e307);
    const report = buildQuantizeReport(prepareSubject({ name: 'max', dtype: 'float64', shape: [5], count: 5, byteSize: 40, values, warnings: [] }), { bits: 2, range: 'minmax', percentile: 99 });
    for (const [key, value] of Object.entries(report.metrics)) assert.ok(!Number.isNaN(value), `${key} is NaN`);
  });
});
