/**
 * Messages between the extension host and its numerics worker (src/extension/worker/workerMain.ts),
 * carried by the rpc helper (./rpc.ts): each method names its params and its result. The worker
 * reads files, builds reports and runs searches so that the extension host never blocks on numerics.
 */
import type { DType } from '../core/dtype';
import type { ReadLimits, TensorFormatName } from '../core/formats/tensorFile';
import type { AffineParams } from '../core/quant/affineParams';
import type { QuantizeOptions } from '../core/quant/clipRange';
import type { Metrics, Objective } from '../core/quant/metrics';
import type { QuantizeReport, SearchReport } from '../core/report/reportTypes';
import type { TensorInfo } from '../core/tensor';

/** A file for the worker to read: a path on disk, or bytes the host read through VS Code's file system. */
export type WorkerFileRef =
  | { readonly kind: 'path'; readonly path: string }
  /** `version` changes whenever the bytes do, so the worker's cache knows when to read again. */
  | { readonly kind: 'bytes'; readonly name: string; readonly bytes: Uint8Array; readonly version: string };

/** A file's listing, from its header. */
export interface ListResult {
  readonly format: TensorFormatName;
  readonly tensors: readonly TensorInfo[];
}

/** A quantization and the min-max baseline it is compared with (histograms in `report` only). */
export interface QuantizeResult {
  readonly report: QuantizeReport;
  readonly baseline: QuantizeReport;
}

/** A grid search, the report at its best percentile and the min-max baseline. */
export interface SearchResult {
  readonly search: SearchReport;
  readonly report: QuantizeReport;
  readonly baseline: QuantizeReport;
}

/** The integer codes of a tensor as a complete .npy file (uint8 up to 8 bits, uint16 above). */
export interface EncodedCodes {
  readonly bytes: Uint8Array;
  readonly dtype: 'uint8' | 'uint16';
  readonly shape: readonly number[];
}

/** A character range `[start, end)` of a text, in UTF-16 code units as VS Code counts them. */
export interface OffsetRange {
  readonly start: number;
  readonly end: number;
}

/** Severity of a diagnostic, in VS Code's terms. */
export type DiagnosticSeverityName = 'error' | 'warning' | 'information';

/** What a diagnostic is about (its `code` in VS Code, so tests and quick filters can tell them apart). */
export type DiagnosticKind =
  /** The file's (or a named tensor's) summary: bits, scheme, scale, zero point, MSE, SQNR, clipped count. */
  | 'summary'
  /** A warning of the report, e.g. a zero point outside the codes. */
  | 'reportWarning'
  /** An element outside the clip range. */
  | 'clipped'
  /** An element whose |error| exceeds clipwise.diagnostics.errorThreshold. */
  | 'aboveThreshold'
  /** How many element diagnostics were left out (clipwise.diagnostics.maxPerFile). */
  | 'more'
  /** Unreadable content, or a tensor that cannot be quantized. */
  | 'format';

/** One diagnostic of a JSON tensor file, placed by offsets into the text it was computed from. */
export interface DiagnosticRecord {
  readonly range: OffsetRange;
  readonly severity: DiagnosticSeverityName;
  readonly kind: DiagnosticKind;
  readonly message: string;
}

/** The affine map a tensor of a JSON file was quantized with (its warnings are diagnostics), and what it cost. */
export interface JsonTensorQuantization extends Omit<AffineParams, 'warnings'> {
  readonly metrics: Metrics;
}

/** One tensor of an analysed JSON file: where it is written and how it quantizes. */
export interface JsonTensorSummary {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly count: number;
  /** The tensor's value (array or `{"shape", "dtype", "data"}` object). */
  readonly span: OffsetRange;
  /** The tensor's name as written, in a file of named tensors. */
  readonly keySpan?: OffsetRange;
  /** Absent when the tensor cannot be quantized (e.g. it has no finite value); see the diagnostics. */
  readonly quantization?: JsonTensorQuantization;
}

/** What the JSON diagnostics, hovers, CodeLenses and status bar show for one version of a document. */
export interface JsonAnalysis {
  readonly version: number;
  /** The tensors found; empty when the text could not be read (then the diagnostics say why). */
  readonly tensors: readonly JsonTensorSummary[];
  readonly diagnostics: readonly DiagnosticRecord[];
}

/** Limits and thresholds of the JSON diagnostics (the `clipwise.diagnostics.*` settings). */
export interface JsonDiagnosticOptions {
  /** Most element diagnostics (clipped or above the threshold); one more says how many were left out. */
  readonly maxPerFile: number;
  /** |error| above which an element gets an information diagnostic; null for none. */
  readonly errorThreshold: number | null;
}

/** One number of a JSON tensor under the pointer: what quantizing does to it. */
export interface JsonElementInfo {
  readonly tensor: string;
  /** The element's index in each dimension (C order). */
  readonly index: readonly number[];
  readonly range: OffsetRange;
  readonly value: number;
  readonly code: number;
  readonly dequantized: number;
  /** value - dequantized; NaN for a non-finite value. */
  readonly error: number;
  readonly isClipped: boolean;
  readonly bits: number;
}

/** The worker's methods. */
export interface WorkerMethods {
  /** Lists a file's tensors. */
  list: { params: { readonly file: WorkerFileRef; readonly limits: ReadLimits }; result: ListResult };
  /** Quantizes one tensor; the tensor stays prepared in the worker for the next recompute. */
  quantize: {
    params: { readonly file: WorkerFileRef; readonly tensor: string; readonly options: QuantizeOptions; readonly limits: ReadLimits };
    result: QuantizeResult;
  };
  /** Runs the percentile grid search on one tensor (reports progress; cancellable). */
  search: {
    params: {
      readonly file: WorkerFileRef;
      readonly tensor: string;
      readonly bits: number;
      /** `from:to:step` or `nines`, parsed by the worker with the core's parseGrid (a bad grid is a UsageError). */
      readonly grid: string;
      readonly objective: Objective;
      readonly limits: ReadLimits;
    };
    result: SearchResult;
  };
  /** Quantizes one tensor and encodes its codes as .npy bytes (transferred, not copied). */
  encodeCodes: {
    params: { readonly file: WorkerFileRef; readonly tensor: string; readonly options: QuantizeOptions; readonly limits: ReadLimits };
    result: EncodedCodes;
  };
  /** Reads a JSON text with its spans, quantizes each tensor, and builds the diagnostics; keeps the result for hovers. */
  analyzeJson: {
    params: {
      /** Identifies the document (its URI) across calls. */
      readonly key: string;
      readonly version: number;
      readonly text: string;
      readonly fileName: string;
      readonly options: QuantizeOptions;
      readonly diagnostics: JsonDiagnosticOptions;
      readonly limits: ReadLimits;
    };
    result: JsonAnalysis;
  };
  /** The element at `offset` of the last analysed version of a document; null when none is there or the version moved on. */
  inspectJsonElement: {
    params: { readonly key: string; readonly version: number; readonly offset: number };
    result: JsonElementInfo | null;
  };
  /** Forgets a document analysed before (it was closed). */
  forgetJson: { params: { readonly key: string }; result: void };
}
