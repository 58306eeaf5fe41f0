import type { Tensor } from '../tensor';
import type { WorkControl } from '../formats/tensorFile';
import { affineParams, checkBits, type AffineParams } from '../quant/affineParams';
import { chooseParams, type QuantizeOptions } from '../quant/clipRange';
import { addQuantizationErrors, codeLevelsAndErrorRange, defaultHistogramBins, groupCodeLevels, histogram, HistogramBins } from '../quant/histogram';
import { measureDirect, type Metrics, type Objective } from '../quant/metrics';
import { defaultOutlierK, PreparedValues } from '../quant/preparedValues';
import { sortedHistograms } from '../quant/sortedHistograms';
import { summaryStats } from '../quant/summaryStats';
import { pickBest, type EvaluatedCandidate } from '../search/candidate';
import { createRangeMeasurer, fastGridSearch, paramsKey } from '../search/fastGridSearch';
import { requestCandidates, type GridRequest, type GridSpec } from '../search/gridSpec';
import { optimalRangeSearch } from '../search/optimalRangeSearch';
import { refinedGridSearch } from '../search/refinedGridSearch';
import { hasSortedIndex, sortedIndexOf } from '../search/sortedIndex';
import { UsageError } from '../errors';
import type { Baseline, QuantizeReport, ReportHistograms, SearchBest, SearchReport, TensorSummary } from './reportTypes';

/** More refinement levels than this only narrows below the 10-decimal rounding of percentiles. */
export const maxRefineLevels = 6;

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

/** What a search needs of its subject: no values in element order (a streamed tensor has none). */
export interface SearchSubject {
  readonly tensor: { readonly warnings: readonly string[] };
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

/** The elements set aside as not finite, by kind. */
export interface NonFiniteCounts {
  readonly nanCount: number;
  readonly posInfCount: number;
  readonly negInfCount: number;
}

/** The warning that says which elements were left out and what codes they get; none when all are finite. */
function nonFiniteWarnings(counts: NonFiniteCounts): string[] {
  const parts: string[] = [];
  if (counts.nanCount) parts.push(`${counts.nanCount} NaN`);
  if (counts.posInfCount) parts.push(`${counts.posInfCount} +Inf`);
  if (counts.negInfCount) parts.push(`${counts.negInfCount} -Inf`);
  if (parts.length === 0) return [];
  return [`${parts.join(', ')} left out of every statistic and error; their codes are the code of 0 (NaN), qmax (+Inf) and qmin (-Inf).`];
}

/** What a quantize report is made of, whether the tensor was held whole or streamed. */
export interface QuantizeReportParts {
  readonly tensor: TensorSummary;
  /** What the reader noticed (`Tensor.warnings`). */
  readonly readerWarnings: readonly string[];
  readonly nonFinite: NonFiniteCounts;
  readonly options: QuantizeOptions;
  readonly params: AffineParams;
  readonly metrics: Metrics;
  readonly histograms: ReportHistograms | undefined;
}

/** Lays out a quantize report: parameters, metrics, and the reader's, the non-finite and the parameters' warnings in that order. */
export function assembleQuantizeReport(parts: QuantizeReportParts): QuantizeReport {
  const { options, params } = parts;
  return {
    tensor: parts.tensor,
    params: { bits: options.bits, range: options.range, percentile: options.range === 'percentile' ? options.percentile : null },
    scale: params.scale,
    zeroPoint: params.zeroPoint,
    qmin: params.qmin,
    qmax: params.qmax,
    clipMin: params.clipMin,
    clipMax: params.clipMax,
    metrics: parts.metrics,
    warnings: [...parts.readerWarnings, ...nonFiniteWarnings(parts.nonFinite), ...params.warnings],
    histograms: parts.histograms,
  };
}

/** The histograms by binary search over the sorted values when they are at hand (sortedHistograms), else value by value. */
function histogramsFor(subject: SearchSubject, params: AffineParams, bins: number): ReportHistograms {
  const prepared = subject.prepared;
  if (prepared.hasSorted) return sortedHistograms(prepared.sorted, prepared.min, prepared.max, params, bins);
  const x = prepared.finite;
  const { levels, min, max } = codeLevelsAndErrorRange(x, params);
  const errors = new HistogramBins(min, max, bins);
  addQuantizationErrors(errors, x, params);
  return {
    values: histogram(x, subject.prepared.min, subject.prepared.max, bins),
    codes: groupCodeLevels(levels),
    errors: errors.result(),
  };
}

/**
 * What quantizing the tensor with these options does: the report `clipwise quantize` prints. Its metrics
 * come from the sorted index when the tensor has one (a search, or a host that keeps reports quick, built
 * it): the fast engine's figures, equal to the direct pass's to the contract's 1e-12, in microseconds
 * rather than a pass over the tensor.
 */
export function buildQuantizeReport(subject: SearchSubject, options: QuantizeOptions, reportOptions: ReportOptions = {}): QuantizeReport {
  const prepared = subject.prepared;
  const params = chooseParams(prepared, options);
  const fences = prepared.fences(reportOptions.outlierK ?? defaultOutlierK);
  const metrics = hasSortedIndex(prepared) ? createRangeMeasurer(prepared, options.bits, fences).measure(params) : measureDirect(prepared.finite, params, fences);
  const bins = reportOptions.histogramBins ?? defaultHistogramBins;
  return assembleQuantizeReport({
    tensor: subject.summary,
    readerWarnings: subject.tensor.warnings,
    nonFinite: subject.prepared,
    options,
    params,
    metrics,
    histograms: bins > 0 ? histogramsFor(subject, params, bins) : undefined,
  });
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

/** How a search looks for the clipping range. */
export type SearchMethod = 'grid' | 'optimal';

/** Search options: bits, grid, objective, refinement and method. */
export interface SearchOptions {
  readonly bits: number;
  /** A plain `from:to:step` grid, or a parsed grid request (`nines`). */
  readonly grid: GridSpec | GridRequest;
  readonly objective: Objective;
  /** Coarse-to-fine refinement levels around the best candidate (0: none). */
  readonly refine?: number;
  /** 'optimal' searches asymmetric ranges, seeded by the grid; default 'grid'. */
  readonly method?: SearchMethod;
}

function asRequest(grid: GridSpec | GridRequest): GridRequest {
  return 'kind' in grid ? grid : { kind: 'range', spec: grid };
}

/**
 * The search report: the grid's curve (or the optimal search's path), its best, the min-max
 * baseline and the best without outliers.
 */
export async function buildSearchReport(
  subject: SearchSubject,
  options: SearchOptions,
  reportOptions: ReportOptions = {},
  control: WorkControl = {},
  evaluate: CandidateEvaluator = fastGridSearch,
): Promise<SearchReport> {
  checkBits(options.bits);
  const request = asRequest(options.grid);
  const method = options.method ?? 'grid';
  const refine = options.refine ?? 0;
  if (!Number.isInteger(refine) || refine < 0 || refine > maxRefineLevels) {
    throw new UsageError(`Refinement levels must be an integer from 0 to ${maxRefineLevels}; got ${refine}.`);
  }
  const prepared = subject.prepared;
  const candidates = requestCandidates(request, prepared.count);
  const k = reportOptions.outlierK ?? defaultOutlierK;
  // The optimal search starts from the grid, so the grid's share of the work comes first.
  const gridShare = method === 'optimal' ? 0.3 : 1;
  const gridControl: WorkControl = { signal: control.signal, onProgress: control.onProgress && ((f) => control.onProgress?.(f * gridShare)) };
  // The optimal search sorts: sorting first lets its grid use the same index rather than a pass of its own.
  if (method === 'optimal') sortedIndexOf(prepared, gridControl);
  const evaluated = refine > 0
    ? await refinedGridSearch(prepared, options.bits, candidates, options.objective, k, refine, gridControl, evaluate)
    : await evaluate(prepared, options.bits, candidates, k, gridControl);
  const gridBest = pickBest(evaluated, options.objective);
  const bestInliers = pickBest(evaluated, 'mseInliers');
  const mm = affineParams(prepared.min, prepared.max, options.bits);
  // Percentile 100 is min-max exactly: a grid that holds it has measured the baseline already (the
  // optimal search reports its winner from the direct pass, so its baseline is measured the same way).
  const measured = method === 'grid' ? evaluated.find((c) => paramsKey(c.params) === paramsKey(mm)) : undefined;
  const minmax: Baseline = { scale: mm.scale, zeroPoint: mm.zeroPoint, metrics: measured?.metrics ?? measureDirect(prepared.finite, mm, prepared.fences(k)) };
  const grid: GridSpec | 'nines' = request.kind === 'nines' ? 'nines' : request.spec;
  const warnings = new Set<string>([...subject.tensor.warnings, ...nonFiniteWarnings(subject.prepared)]);
  const params = { bits: options.bits, grid, objective: options.objective, method, refine };
  if (method === 'optimal') {
    const optimal = optimalRangeSearch(prepared, options.bits, options.objective, k, {
      signal: control.signal,
      onProgress: control.onProgress && ((f) => control.onProgress?.(gridShare + f * (1 - gridShare))),
    }, { seedPercentiles: candidates });
    const { warnings: bestWarnings, ...best } = optimal.best;
    for (const w of bestWarnings) warnings.add(w);
    return {
      tensor: subject.summary,
      params,
      best,
      minmax,
      bestInliers: toBest(bestInliers),
      curve: optimal.path.map((p) => ({ percentile: null, ...p })),
      warnings: [...warnings],
    };
  }
  for (const w of gridBest.params.warnings) warnings.add(w);
  return {
    tensor: subject.summary,
    params,
    best: toBest(gridBest),
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
