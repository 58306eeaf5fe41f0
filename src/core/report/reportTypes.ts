import type { DType } from '../dtype';
import type { AffineParams } from '../quant/affineParams';
import type { CodeHistogram, Histogram } from '../quant/histogram';
import type { Metrics, Objective } from '../quant/metrics';
import type { QuantizeRange } from '../quant/clipRange';
import type { GridSpec } from '../search/gridSpec';
import type { SummaryStats } from '../quant/summaryStats';

/** The tensor as every report describes it (the CLI's JSON contract). */
export interface TensorSummary {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly count: number;
  readonly nonFiniteCount: number;
  readonly stats: SummaryStats;
}

/** Histograms binned in the core, so that no consumer needs the whole tensor. */
export interface ReportHistograms {
  /** Finite values over [min, max]. */
  readonly values: Histogram;
  /** Use of the 2^b code levels. */
  readonly codes: CodeHistogram;
  /** x - x_hat over the finite values. */
  readonly errors: Histogram;
}

/**
 * What one quantization does to a tensor: `clipwise quantize --json`. The affine map's scale, zero
 * point, code range and clipping range stand at the top level; its bits are in `params`.
 */
export interface QuantizeReport extends Omit<AffineParams, 'bits' | 'warnings'> {
  readonly tensor: TensorSummary;
  readonly params: { readonly bits: number; readonly range: QuantizeRange; readonly percentile: number | null };
  readonly metrics: Metrics;
  readonly warnings: readonly string[];
  readonly histograms?: ReportHistograms;
}

/**
 * One point of the error-against-percentile curve, or of the optimal search's path (then
 * `percentile` is null and the range is given by its ends and their equivalent percentiles).
 */
export interface CurvePoint {
  readonly percentile: number | null;
  readonly lowerPercentile?: number;
  readonly upperPercentile?: number;
  readonly clipMin?: number;
  readonly clipMax?: number;
  readonly scale: number;
  readonly zeroPoint: number;
  /** The objective's value at this candidate. */
  readonly value: number;
}

/** A search's winner. `percentile` is null for a range not tied to one percentile. */
export interface SearchBest {
  readonly percentile: number | null;
  readonly scale: number;
  readonly zeroPoint: number;
  readonly clipMin: number;
  readonly clipMax: number;
  readonly metrics: Metrics;
  /** For a range not tied to one percentile: the percentiles its ends fall at (numpy's linear rule inverted). */
  readonly lowerPercentile?: number;
  readonly upperPercentile?: number;
}

/** The min-max baseline a search is compared with. */
export interface Baseline {
  readonly scale: number;
  readonly zeroPoint: number;
  readonly metrics: Metrics;
}

/** A percentile grid search: `clipwise search --json`. */
export interface SearchReport {
  readonly tensor: TensorSummary;
  readonly params: {
    readonly bits: number;
    /** The plain grid, or 'nines'. */
    readonly grid: GridSpec | 'nines';
    readonly objective: Objective;
    readonly method: 'grid' | 'optimal';
    /** Coarse-to-fine refinement levels (0: none). */
    readonly refine: number;
  };
  readonly best: SearchBest;
  readonly minmax: Baseline;
  /** The best candidate when outliers are set aside (objective mseInliers), to read the notebook right. */
  readonly bestInliers: SearchBest;
  readonly curve: readonly CurvePoint[];
  readonly warnings: readonly string[];
}
