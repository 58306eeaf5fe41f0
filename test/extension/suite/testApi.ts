/**
 * What the suites need from the extension to see what the user sees: activate() returns this object
 * (the extension's exports). The types are the project's own report and message types.
 */
import type { QuantizeReport, SearchReport } from '../../../src/core/report/reportTypes';
import type { PanelSettings } from '../../../src/protocol/webview';

/** One open inspector page: a "Quantize Tensor" panel or the .npy custom editor. */
export interface InspectorSnapshot {
  readonly kind: 'panel' | 'editor';
  /** The tensor file, as uri.toString(). */
  readonly fileUri: string;
  /** The controls as the page last set them. */
  readonly settings?: PanelSettings;
  /** The report last posted to the page (`show`, `quantized` or `searchResult`). */
  readonly report?: QuantizeReport;
  /** The grid search last posted to the page. */
  readonly search?: SearchReport;
  /** The last `failed` without a requestId posted to the page: the page as a whole could not load. */
  readonly failed?: string;
}

/** A message shown to the user with showErrorMessage, showWarningMessage or showInformationMessage. */
export interface Notice {
  readonly severity: 'error' | 'warning' | 'information';
  readonly message: string;
}

/** The exports of Clipwise's activate(). */
export interface ClipwiseTestApi {
  /** Every open inspector, oldest first. */
  inspectors(): readonly InspectorSnapshot[];
  /** Every notification shown since activation, oldest first. */
  notifications(): readonly Notice[];
}

/** Whether the extension's exports provide the test API. */
export function isTestApi(value: unknown): value is ClipwiseTestApi {
  const v = value as Partial<ClipwiseTestApi> | undefined;
  return typeof v === 'object' && v !== null && typeof v.inspectors === 'function' && typeof v.notifications === 'function';
}
