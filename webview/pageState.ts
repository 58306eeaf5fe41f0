import type { PanelSettings, WebviewState } from '../src/protocol/webview';
import type { Objective } from '../src/core/quant/metrics';

/** Bits the panel offers: the core accepts 2..16. */
export const minBits = 2;
export const maxBits = 16;

/** The settings the panel starts from before the host has spoken (the configured defaults of issue 4). */
export const fallbackSettings: PanelSettings = {
  tensor: '',
  bits: 8,
  range: 'percentile',
  percentile: 99,
  grid: '99:100:0.01',
  objective: 'mse',
};

const objectiveSet: ReadonlySet<string> = new Set<Objective>(['mse', 'mae', 'maxAbsError', 'sqnrDb', 'mseInliers']);

/** True when the stored value is still a usable state (it may come from an older version of the page). */
export function isWebviewState(value: unknown): value is WebviewState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<WebviewState>;
  const s = v.settings as Partial<PanelSettings> | undefined;
  return (
    typeof v.fileUri === 'string' &&
    typeof v.logScale === 'boolean' &&
    typeof s === 'object' && s !== null &&
    typeof s.tensor === 'string' &&
    typeof s.bits === 'number' && s.bits >= minBits && s.bits <= maxBits &&
    (s.range === 'minmax' || s.range === 'percentile' || s.range === 'bestOfGrid') &&
    typeof s.percentile === 'number' &&
    typeof s.grid === 'string' &&
    typeof s.objective === 'string' && objectiveSet.has(s.objective)
  );
}
