import { TensorFormatError, UsageError } from '../errors';
import type { TensorFile, WorkControl } from '../formats/tensorFile';
import { affineParams, type AffineParams } from '../quant/affineParams';
import { checkClip, checkPercentile, type QuantizeOptions } from '../quant/clipRange';
import { CompensatedSum } from '../quant/compensatedSum';
import { MomentSummer, statsFromMoments } from '../quant/summaryStats';
import { addQuantizationErrors, defaultHistogramBins, groupCodeLevels, HistogramBins, type CodeHistogram } from '../quant/histogram';
import { scaledDown, scaledUp, scaleExponent, sqnrDb, type Metrics } from '../quant/metrics';
import { percentileOfSorted } from '../quant/percentile';
import { defaultOutlierK, unsignedZero } from '../quant/preparedValues';
import { roundHalfEven } from '../quant/roundHalfEven';
import { StreamingSelection } from '../quant/streamingSelect';
import { assembleQuantizeReport, type ReportOptions } from './buildReports';
import type { QuantizeReport, ReportHistograms } from './reportTypes';

/**
 * The quantize report of `buildQuantizeReport`, bit for bit, computed in streaming passes over
 * `file.readChunks` so that the tensor is never held: one pass for counts, min, max and the moment sums;
 * usually one or two to select the quartiles (for the outlier fences) and any percentile clip
 * range exactly; one for every error metric; one more for the error
 * histogram when histograms are asked for. Memory is a chunk plus small tables, whatever the size.
 */
export async function streamQuantizeReport(
  file: TensorFile,
  name: string,
  options: QuantizeOptions,
  reportOptions: ReportOptions = {},
  control: WorkControl = {},
): Promise<QuantizeReport> {
  const info = file.tensors.find((t) => t.name === name);
  if (!info || !file.readChunks) throw new UsageError(`Tensor '${name}' cannot be streamed from this ${file.format} file.`);
  if (options.range === 'percentile') checkPercentile(options.percentile);
  const clip = options.range === 'clip' ? checkClip(options.clip) : undefined;
  const bins = reportOptions.histogramBins ?? defaultHistogramBins;
  const k = reportOptions.outlierK ?? defaultOutlierK;
  const progress = passProgress(control, bins > 0 ? 4 : 3);

  // Pass 1: counts, range, moment sums, and the first selection digit.
  const chunks = file.readChunks(name, progress.next());
  let nanCount = 0;
  let posInfCount = 0;
  let negInfCount = 0;
  let min = Infinity;
  let max = -Infinity;
  const moments = new MomentSummer();
  let total = 0;
  const wantedPercentiles = [25, 75];
  if (options.range === 'percentile' && options.percentile !== 100) wantedPercentiles.push(options.percentile, 100 - options.percentile);
  // Ranks are known only once the count is; the first digit's counts do not depend on them.
  const selection = new StreamingSelection();
  for await (const chunk of chunks) {
    const values = chunk.values;
    const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== v) nanCount++;
      else if (v === Infinity) posInfCount++;
      else if (v === -Infinity) negInfCount++;
      else {
        if (v < min) min = v;
        if (v > max) max = v;
        selection.countFirstDigit(words[2 * i + 1], words[2 * i]);
      }
    }
    moments.addFinite(values);
    total += values.length;
  }
  const readerWarnings = [...chunks.warnings];
  const nonFiniteCount = nanCount + posInfCount + negInfCount;
  const n = total - nonFiniteCount;
  if (total === 0) throw new TensorFormatError(`Tensor '${name}' is empty; there is nothing to quantize.`);
  if (n === 0) throw new TensorFormatError(`Tensor '${name}' has no finite value (all ${total} are NaN or infinite); there is nothing to quantize.`);
  min = unsignedZero(min);
  max = unsignedZero(max);
  // Squares near overflow: the moments again, of values scaled down, in the metrics pass.
  const exponent = scaleExponent(Math.max(Math.abs(min), Math.abs(max)));
  const rescaled = exponent > 0 ? new MomentSummer(exponent) : undefined;

  // Selection passes: the order statistics behind every percentile the report needs.
  const ranks = new Set<number>();
  for (const p of wantedPercentiles) for (const r of percentileRanks(n, p)) ranks.add(r);
  selection.selectRanks([...ranks]);
  for (let pass = selection.nextPass(); pass; pass = selection.nextPass()) {
    for await (const chunk of file.readChunks(name, progress.next())) pass.add(chunk.values);
  }
  const sorted: { length: number; [rank: number]: number } = { length: n };
  for (const r of ranks) sorted[r] = selection.valueAt(r);
  const percentile = (p: number) => (p === 100 ? max : p === 0 ? min : percentileOfSorted(sorted, p));

  const params: AffineParams = clip
    ? affineParams(clip.min, clip.max, options.bits)
    : options.range === 'minmax'
      ? affineParams(min, max, options.bits)
      : affineParams(percentile(100 - options.percentile), percentile(options.percentile), options.bits);
  const q1 = percentile(25);
  const q3 = percentile(75);
  const iqr = q3 - q1;
  const fences = { lower: q1 - k * iqr, upper: q3 + k * iqr };

  // Final pass: the metrics, in element order as measureDirect sums them.
  const metricsPass = new MetricsPass(params, fences, bins, min, max, exponent);
  for await (const chunk of file.readChunks(name, progress.next())) {
    metricsPass.add(chunk.values);
    rescaled?.addFinite(chunk.values);
  }
  const stats = statsFromMoments((rescaled ?? moments).sums, n, min, max);
  const metrics = metricsPass.metrics(n);
  let histograms: ReportHistograms | undefined;
  if (bins > 0) {
    const errorRange = metricsPass.errorRange;
    const errors = new HistogramBins(errorRange.min, errorRange.max, bins);
    for await (const chunk of file.readChunks(name, progress.next())) addQuantizationErrors(errors, chunk.values, params);
    histograms = { values: metricsPass.valueHistogram!.result(), codes: metricsPass.codeHistogram(), errors: errors.result() };
  }

  return assembleQuantizeReport({
    tensor: {
      name,
      dtype: info.dtype,
      shape: info.shape,
      count: info.count,
      nonFiniteCount,
      stats,
    },
    readerWarnings,
    nonFinite: { nanCount, posInfCount, negInfCount },
    options,
    params,
    metrics,
    histograms,
  });
}

/** The two sorted positions numpy's linear percentile reads (numerics contract, Percentile). */
function percentileRanks(n: number, p: number): number[] {
  const h = (n - 1) * (p / 100);
  const lo = Math.floor(h);
  return [lo, Math.min(lo + 1, n - 1)];
}

/** Maps each pass's own 0..1 progress onto the whole job, assuming `expected` passes and never going back. */
function passProgress(control: WorkControl, expected: number): { next(): WorkControl } {
  let pass = -1;
  let shown = 0;
  return {
    next: () => {
      pass++;
      const index = pass;
      return {
        signal: control.signal,
        onProgress: (f) => {
          const overall = Math.min(1, (index + f) / Math.max(expected, index + 1));
          if (overall > shown) control.onProgress?.((shown = overall));
        },
      };
    },
  };
}

/** The metrics of measureDirect, the value and code histograms and the error range, over chunks. */
class MetricsPass {
  private readonly sq = new CompensatedSum();
  private readonly abs = new CompensatedSum();
  private readonly signal = new CompensatedSum();
  private readonly inlierSq = new CompensatedSum();
  private inliers = 0;
  private maxAbs = 0;
  private clipped = 0;
  private errorMin = Infinity;
  private errorMax = -Infinity;
  readonly valueHistogram: HistogramBins | undefined;
  private readonly levels: Uint32Array | undefined;

  /** The pass measures values times 2^-exponent (exact), as measureDirect does where squares would overflow, and scales back. */
  private readonly down: number;
  private readonly up: number;
  private readonly p: AffineParams;
  private readonly fences: { readonly lower: number; readonly upper: number };

  constructor(p: AffineParams, fences: { readonly lower: number; readonly upper: number }, bins: number, min: number, max: number, exponent: number) {
    this.down = 2 ** -exponent;
    this.up = 2 ** exponent;
    const scaled = scaledDown(p, fences, this.down);
    this.p = scaled.params;
    this.fences = scaled.fences;
    this.valueHistogram = bins > 0 ? new HistogramBins(min, max, bins) : undefined;
    this.levels = bins > 0 ? new Uint32Array(p.qmax + 1) : undefined;
  }

  add(x: Float64Array): void {
    const { scale, zeroPoint, qmax, clipMin, clipMax } = this.p;
    const { lower, upper } = this.fences;
    const levels = this.levels;
    const down = this.down;
    for (let i = 0; i < x.length; i++) {
      const v = x[i] * down;
      if (v - v !== 0) continue;
      const q = Math.min(Math.max(roundHalfEven(v / scale + zeroPoint), 0), qmax);
      const e = v - scale * (q - zeroPoint);
      const e2 = e * e;
      const ae = Math.abs(e);
      this.sq.add(e2);
      this.abs.add(ae);
      this.signal.add(v * v);
      if (ae > this.maxAbs) this.maxAbs = ae;
      if (v < clipMin || v > clipMax) this.clipped++;
      if (v >= lower && v <= upper) {
        this.inlierSq.add(e2);
        this.inliers++;
      }
      if (levels) {
        levels[q]++;
        if (e < this.errorMin) this.errorMin = e;
        if (e > this.errorMax) this.errorMax = e;
      }
    }
    this.valueHistogram?.addAll(x);
  }

  /** The smallest and largest error, at the values' own scale. */
  get errorRange(): { min: number; max: number } {
    return { min: this.errorMin * this.up, max: this.errorMax * this.up };
  }

  metrics(n: number): Metrics {
    return scaledUp({
      mse: this.sq.value / n,
      mae: this.abs.value / n,
      maxAbsError: this.maxAbs,
      sqnrDb: sqnrDb(this.signal.value, this.sq.value),
      clippedCount: this.clipped,
      clippedFraction: this.clipped / n,
      mseInliers: this.inliers === 0 ? 0 : this.inlierSq.value / this.inliers,
    }, this.up);
  }

  /** The code histogram, from the levels counted. */
  codeHistogram(): CodeHistogram {
    return groupCodeLevels(this.levels!);
  }
}
