/**
 * Checks on data arriving from the other side of a channel: the host runs `isFromWebview` on every
 * message of the inspector page before it uses it (style guide §3). Structural checks only: the
 * core still refuses values out of range (a percentile of 30) with a message for the user.
 */
import type { ExportKind, FromWebview, PanelRange, PanelSettings, WebviewState } from './webview';

/** Longest tensor name or grid text accepted from the page. */
export const maxTextChars = 4096;

const panelRanges: ReadonlySet<string> = new Set<PanelRange>(['minmax', 'percentile', 'bestOfGrid']);
const objectives: ReadonlySet<string> = new Set(['mse', 'mae', 'maxAbsError', 'sqnrDb', 'mseInliers']);
const exportKinds: ReadonlySet<string> = new Set<ExportKind>(['codesNpy', 'paramsJson', 'pythonSnippet']);

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isShortText(x: unknown): x is string {
  return typeof x === 'string' && x.length <= maxTextChars;
}

function isRequestId(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x > 0;
}

/** True for a complete set of panel controls with values of the right types. */
export function isPanelSettings(x: unknown): x is PanelSettings {
  return (
    isRecord(x) &&
    isShortText(x.tensor) &&
    typeof x.bits === 'number' && Number.isInteger(x.bits) &&
    typeof x.range === 'string' && panelRanges.has(x.range) &&
    typeof x.percentile === 'number' && Number.isFinite(x.percentile) &&
    isShortText(x.grid) &&
    typeof x.objective === 'string' && objectives.has(x.objective)
  );
}

/** True for a well-formed message of the inspector page. */
export function isFromWebview(x: unknown): x is FromWebview {
  if (!isRecord(x)) return false;
  switch (x.type) {
    case 'ready':
      return true;
    case 'quantize':
    case 'runSearch':
      return isRequestId(x.requestId) && isPanelSettings(x.settings);
    case 'cancel':
      return isRequestId(x.requestId);
    case 'export':
      return isRequestId(x.requestId) && typeof x.kind === 'string' && exportKinds.has(x.kind) && isPanelSettings(x.settings);
    default:
      return false;
  }
}

/** True for the state a page saved with setState (checked before a panel is revived from it). */
export function isWebviewState(x: unknown): x is WebviewState {
  return isRecord(x) && isShortText(x.fileUri) && x.fileUri.length > 0 && isPanelSettings(x.settings) && typeof x.logScale === 'boolean';
}
