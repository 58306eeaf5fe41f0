/**
 * Messages between the extension host and the inspector webview. Every request carries a
 * requestId and is answered by its result or by `failed` with the same id; a newer request
 * from the page replaces the older one (the host aborts it, the page ignores stale replies).
 */
import type { Objective } from '../core/quant/metrics';
import type { QuantizeReport, SearchReport } from '../core/report/reportTypes';
import type { DType } from '../core/dtype';

/** How the panel picks its clipping range: a scheme of the core, or the grid search's winner. */
export type PanelRange = 'minmax' | 'percentile' | 'bestOfGrid';

/** The controls of the panel: what the user chose for one tensor of one file. */
export interface PanelSettings {
  /** Name of the tensor shown (files may hold several). */
  readonly tensor: string;
  readonly bits: number;
  readonly range: PanelRange;
  /** P in (50, 100]: keep values between the (100-P)th and the Pth percentile. */
  readonly percentile: number;
  /** Grid as the core's parseGrid reads it: `from:to:step` or `nines`. */
  readonly grid: string;
  readonly objective: Objective;
}

/** One tensor of the file, for the picker. */
export interface TensorListItem {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly count: number;
}

/** What the page exports through the host. */
export type ExportKind = 'codesNpy' | 'paramsJson' | 'pythonSnippet';

/** Page → host. Tags are imperative. */
export type FromWebview =
  /** The page has loaded; answered by `show` (or `failed`). */
  | { readonly type: 'ready' }
  /** Recompute with these settings; answered by `quantized` or `failed` with the same id. */
  | { readonly type: 'quantize'; readonly requestId: number; readonly settings: PanelSettings }
  /** Run the grid search; `progress` while it runs, then `searchResult` or `failed` with the same id. */
  | { readonly type: 'runSearch'; readonly requestId: number; readonly settings: PanelSettings }
  /** Stop the request with this id (answered by `failed` with message 'Cancelled.' if it was running). */
  | { readonly type: 'cancel'; readonly requestId: number }
  /** Export the current quantization; answered by `exported` or `failed`. */
  | { readonly type: 'export'; readonly requestId: number; readonly kind: ExportKind; readonly settings: PanelSettings };

/** Host → page. Tags are nouns. */
export type ToWebview =
  /** Everything the page needs to draw: the file, its tensors, the settings and their report. */
  | {
      readonly type: 'show';
      readonly fileName: string;
      /** The file's URI (uri.toString()); the page keeps it in its state so the panel serializer can reopen the file. */
      readonly fileUri?: string;
      readonly tensors: readonly TensorListItem[];
      readonly settings: PanelSettings;
      readonly report: QuantizeReport;
      /** The same tensor quantized min-max, shown beside the report so the gain is plain. */
      readonly baseline: QuantizeReport;
      /** The last grid search on this tensor, if any. */
      readonly search?: SearchReport;
    }
  /** The answer to `quantize`. */
  | {
      readonly type: 'quantized';
      readonly requestId: number;
      readonly settings: PanelSettings;
      readonly report: QuantizeReport;
      readonly baseline: QuantizeReport;
      /** For range "bestOfGrid": the grid search the report's percentile came from (run for these bits, grid and objective). */
      readonly search?: SearchReport;
    }
  /** Fraction done (0..1) of a running request. */
  | { readonly type: 'progress'; readonly requestId: number; readonly fraction: number }
  /** The answer to `runSearch`: the search and the report at its best percentile. */
  | { readonly type: 'searchResult'; readonly requestId: number; readonly settings: PanelSettings; readonly search: SearchReport; readonly report: QuantizeReport; readonly baseline: QuantizeReport }
  /** The answer to `export`: a short message for the user (e.g. the path written). */
  | { readonly type: 'exported'; readonly requestId: number; readonly message: string }
  /** A request failed (or, without requestId, the panel as a whole could not load). */
  | { readonly type: 'failed'; readonly requestId?: number; readonly message: string };

/** State the page keeps with setState so it survives hiding and reloads. */
export interface WebviewState {
  readonly fileUri: string;
  readonly settings: PanelSettings;
  readonly logScale: boolean;
}
