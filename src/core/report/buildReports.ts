import type { Tensor } from '../tensor';
import type { WorkControl } from '../formats/tensorFile';
import { affineParams, checkBits, quantizeCodes, type AffineParams } from '../quant/affineParams';
import { chooseParams, type QuantizeOptions } from '../quant/clipRange';
import { codeHistogram, defaultHistogramBins, histogram } from '../quant/histogram';
import { measureDirect, type Objective } from '../quant/metrics';
import { defaultOutlierK, PreparedValues } from '../quant/preparedValues';
import { summaryStats } from '../quant/summaryStats';
import { pickBest, type EvaluatedCandidate } from '../search/candidate';
import { fastGridSearch } from '../search/fastGridSearch';
import { gridCandidates, type GridSpec } from '../search/gridSpec';
import type { Baseline, QuantizeReport, ReportHistograms, SearchBest, SearchReport, TensorSummary } from './reportTypes';

/** Options shared by every report. */
export interface ReportOptions {
  /** Tukey multiplier for mseInliers (default 3). */
  readonly outlierK?: number;
  /** Bins of the value and error histograms; 0 leaves histograms out. */
  readonly histogramBins?: number;
}

/** A tensor made ready for reports: finite values, sorted copy on demand, stats. */
export interface ReportSubject {
  readonly tensor: Tensor;
  readonly prepared: PreparedValues;
  readonly summary: TensorSummary;
}

/** Prepares a tensor once so that many reports on it (a panel's recomputes) share the work. */
export function prepareSubject(tensor: Tensor): ReportSubject {
  const prepared = new PreparedValues(tensor.values, tensor.name);
  const summary: TensorSummary = {
    name: tensor.name,
    dtype: tensor.dtype,
    shape: tensor.shape,
    count: tensor.count,
    nonFiniteCount: prepared.nonFiniteCount,
    stats: summaryStats(prepared),
  };
  return { tensor, prepared, summary };
}

function nonFiniteWarnings(subject: ReportSubject): string[] {
  const p = subject.prepared;
  if (p.nonFiniteCount === 0) return [];
  const parts: string[] = [];
  if (p.nanCount) parts.push(`${p.nanCount} NaN`);
  if (p.posInfCount) parts.push(`${p.posInfCount} +Inf`);
  if (p.negInfCount) parts.push(`${p.negInfCount} -Inf`);
  return [`${parts.join(', ')} left out of every statistic and error; their codes are the code of 0 (NaN), qmax (+Inf) and qmin (-Inf).`];
}

function histogramsFor(subject: ReportSubject, params: AffineParams, bins: number): ReportHistograms {
  const x = subject.prepared.finite;
  const codes = quantizeCodes(x, params);
  const errors = new Float64Array(x.length);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const e = x[i] - params.scale * (codes[i] - params.zeroPoint);
    errors[i] = e;
    if (e < lo) lo = e;
    if (e > hi) hi = e;
  }
  return {
    values: histogram(x, subject.prepared.min, subject.prepared.max, bins),
    codes: codeHistogram(codes, params.qmax),
    errors: histogram(errors, lo, hi, bins),
  };
}

/** What quantizing the tensor with these options does: the report `clipwise quantize` prints. */
export function buildQuantizeReport(subject: ReportSubject, options: QuantizeOptions, reportOptions: ReportOptions = {}): QuantizeReport {
  const params = chooseParams(subject.prepared, options);
  const metrics = measureDirect(subject.prepared.finite, params, subject.prepared.fences(reportOptions.outlierK ?? defaultOutlierK));
  const bins = reportOptions.histogramBins ?? defaultHistogramBins;
  return {
    tensor: subject.summary,
    params: { bits: options.bits, range: options.range, percentile: options.range === 'percentile' ? options.percentile : null },
    scale: params.scale,
    zeroPoint: params.zeroPoint,
    qmin: params.qmin,
    qmax: params.qmax,
    clipMin: params.clipMin,
    clipMax: params.clipMax,
    metrics,
    warnings: [...subject.tensor.warnings, ...nonFiniteWarnings(subject), ...params.warnings],
    histograms: bins > 0 ? histogramsFor(subject, params, bins) : undefined,
  };
}

function toBest(c: EvaluatedCandidate): SearchBest {
  const { scale, zeroPoint, clipMin, clipMax } = c.params;
  return { percentile: c.percentile, scale, zeroPoint, clipMin, clipMax, metrics: c.metrics };
}

/** Evaluates grid candidates; the fast engine plugs in here. */
export type CandidateEvaluator = (
  prepared: PreparedValues,
  bits: number,
  candidates: readonly number[],
  outlierK: number,
  control?: WorkControl,
) => EvaluatedCandidate[] | Promise<EvaluatedCandidate[]>;

/** Search options: bits, grid and objective. */
export interface SearchOptions {
  readonly bits: number;
  readonly grid: GridSpec;
  readonly objective: Objective;
}

/** The percentile grid search with its curve, the min-max baseline and the best without outliers. */
export async function buildSearchReport(
  subject: ReportSubject,
  options: SearchOptions,
  reportOptions: ReportOptions = {},
  control: WorkControl = {},
  evaluate: CandidateEvaluator = fastGridSearch,
): Promise<SearchReport> {
  checkBits(options.bits);
  const candidates = gridCandidates(options.grid);
  const k = reportOptions.outlierK ?? defaultOutlierK;
  const evaluated = await evaluate(subject.prepared, options.bits, candidates, k, control);
  const best = pickBest(evaluated, options.objective);
  const bestInliers = pickBest(evaluated, 'mseInliers');
  const mm = affineParams(subject.prepared.min, subject.prepared.max, options.bits);
  const minmax: Baseline = {
    scale: mm.scale,
    zeroPoint: mm.zeroPoint,
    metrics: measureDirect(subject.prepared.finite, mm, subject.prepared.fences(k)),
  };
  const warnings = new Set<string>([...subject.tensor.warnings, ...nonFiniteWarnings(subject), ...best.params.warnings]);
  return {
    tensor: subject.summary,
    params: { bits: options.bits, grid: options.grid, objective: options.objective },
    best: toBest(best),
    minmax,
    bestInliers: toBest(bestInliers),
    curve: evaluated.map((c) => ({
      percentile: c.percentile ?? 100,
      scale: c.params.scale,
      zeroPoint: c.params.zeroPoint,
      value: c.metrics[options.objective],
    })),
    warnings: [...warnings],
  };
}
