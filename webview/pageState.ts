import type { PanelSettings, WebviewState } from '../src/protocol/webview';
import { isWebviewState } from '../src/protocol/guards';

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

/** The saved state, if it is one this page can use (it may come from an older version of the page). */
export function usableState(value: unknown): WebviewState | undefined {
  if (!isWebviewState(value)) return undefined;
  const bits = value.settings.bits;
  return bits >= minBits && bits <= maxBits ? value : undefined;
}
