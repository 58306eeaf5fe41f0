import { strict as assert } from 'node:assert';
import seedrandom from 'seedrandom';
import { CancelledError, TensorFormatError } from '../../../../src/core/errors';
import type { TensorChunk, TensorFile, WorkControl } from '../../../../src/core/formats/tensorFile';
import type { QuantizeOptions } from '../../../../src/core/quant/clipRange';
import { buildQuantizeReport, prepareSubject } from '../../../../src/core/report/buildReports';
import { streamQuantizeReport } from '../../../../src/core/report/streamingQuantizeReport';

/** A one-tensor file over values in memory whose passes come in chunks of `chunk` elements. */
function fileOf(values: Float64Array, chunk = 1000, warnings: string[] = []): TensorFile & { passes: number } {
  const info = { name: 't', dtype: 'float64' as const, shape: [values.length], count: values.length, byteSize: values.length * 8 };
  const file = {
    format: 'npy' as const,
    tensors: [info],
    passes: 0,
    read: async () => ({ ...info, values: Float64Array.from(values), warnings }),
    readChunks: (_name: string, control?: WorkControl) => ({
      warnings,
      async *[Symbol.asyncIterator](): AsyncGenerator<TensorChunk> {
        file.passes++;
        const buffer = new Float64Array(chunk);
        for (let start = 0; start < values.length; start += chunk) {
          if (control?.signal?.aborted) throw new CancelledError();
          const part = values.subarray(start, start + chunk);
          buffer.set(part);
          yield { start, values: buffer.subarray(0, part.length) };
          control?.onProgress?.((start + part.length) / values.length);
        }
      },
    }),
  };
  return file;
}

async function bothReports(values: Float64Array, options: QuantizeOptions, histogramBins = 0) {
  const file = fileOf(values);
  const streamed = await streamQuantizeReport(file, 't', options, { histogramBins });
  const whole = buildQuantizeReport(prepareSubject(await file.read('t')), options, { histogramBins });
  return { streamed, whole, passes: file.passes };
}

describe('streamQuantizeReport', function () {
  const rng = seedrandom('streaming-report');
  const normal = () => Math.sqrt(-2 * Math.log(rng() || 1e-300)) * Math.cos(2 * Math.PI * rng());

  const tensors: Record<string, () => Float64Array> = {
    'normal data with an outlier': () => {
      const v = Float64Array.from({ length: 12345 }, normal);
      v[100] = 40;
      return v;
    },
    'NaN and infinities': () => Float64Array.from({ length: 5000 }, (_, i) => (i % 97 === 0 ? NaN : i % 101 === 0 ? Infinity : i % 103 === 0 ? -Infinity : normal())),
    'a constant tensor': () => new Float64Array(3000).fill(2.5),
    'all zeros, -0 among them': () => Float64Array.from({ length: 2000 }, (_, i) => (i % 3 ? 0 : -0)),
    'negative values only': () => Float64Array.from({ length: 4000 }, () => -1 - rng()),
    'few distinct float16-like values': () => Float64Array.from({ length: 50000 }, () => Math.round(normal() * 8) / 8),
    'one element': () => Float64Array.of(-7),
  };

  for (const [what, make] of Object.entries(tensors)) {
    for (const options of [
      { bits: 8, range: 'minmax' as const, percentile: 99 },
      { bits: 4, range: 'percentile' as const, percentile: 99.9 },
      { bits: 16, range: 'percentile' as const, percentile: 100 },
      { bits: 6, range: 'clip' as const, percentile: 99, clip: { min: -1.5, max: 2.25 } },
    ]) {
      it(`equals buildQuantizeReport bit for bit: ${what}, ${options.range} ${options.bits} bits`, async function () {
        const values = make();
        const { streamed, whole } = await bothReports(values, options, 64);
        assert.deepStrictEqual(streamed, whole);
      });
    }
  }

  it('takes three passes on ordinary data without histograms, four with', async function () {
    const values = Float64Array.from({ length: 20000 }, normal);
    assert.equal((await bothReports(values, { bits: 8, range: 'minmax', percentile: 99 })).passes, 3);
    assert.equal((await bothReports(values, { bits: 8, range: 'minmax', percentile: 99 }, 128)).passes, 4);
  });

  it('takes two passes on float16-like data, whose quartiles the first pass decides', async function () {
    const values = Float64Array.from({ length: 20000 }, () => Math.round(normal() * 64) / 64);
    assert.equal((await bothReports(values, { bits: 8, range: 'minmax', percentile: 99 })).passes, 2);
  });

  it('keeps the reader warnings first, as the whole read does', async function () {
    const file = fileOf(Float64Array.of(-1, 2, 3), 2, ['2 int64 values were rounded.']);
    const report = await streamQuantizeReport(file, 't', { bits: 8, range: 'minmax', percentile: 99 });
    assert.deepEqual(report.warnings, ['2 int64 values were rounded.']);
  });

  it('refuses an empty tensor and one with no finite value, as prepareSubject does', async function () {
    await assert.rejects(streamQuantizeReport(fileOf(new Float64Array(0)), 't', { bits: 8, range: 'minmax', percentile: 99 }), (e: unknown) =>
      e instanceof TensorFormatError && e.message === "Tensor 't' is empty; there is nothing to quantize.");
    await assert.rejects(streamQuantizeReport(fileOf(Float64Array.of(NaN, Infinity)), 't', { bits: 8, range: 'minmax', percentile: 99 }), (e: unknown) =>
      e instanceof TensorFormatError && e.message === "Tensor 't' has no finite value (all 2 are NaN or infinite); there is nothing to quantize.");
  });

  it('stops when cancelled and reports progress that only grows', async function () {
    const seen: number[] = [];
    const file = fileOf(Float64Array.from({ length: 10000 }, normal), 100);
    await streamQuantizeReport(file, 't', { bits: 8, range: 'minmax', percentile: 99 }, { histogramBins: 0 }, { onProgress: (f) => seen.push(f) });
    const signal = { aborted: true };
    await assert.rejects(streamQuantizeReport(file, 't', { bits: 8, range: 'minmax', percentile: 99 }, {}, { signal }), CancelledError);
    assert.ok(seen.length > 3 && seen.every((f, i) => i === 0 || f > seen[i - 1]), 'progress only grows');
    assert.ok(seen[seen.length - 1] === 1, `ends at 1, not ${seen[seen.length - 1]}`);
  });
});
