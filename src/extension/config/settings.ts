import { maxBits, minBits } from '../../core/quant/affineParams';
import { checkPercentile, type QuantizeOptions, type RangeMethod } from '../../core/quant/clipRange';
import { objectives, type Objective } from '../../core/quant/metrics';
import { gridCandidates, gridForms, parseGrid, type GridRequest } from '../../core/search/gridSpec';
import { defaultMaxTensorBytes } from '../../core/formats/tensorFile';
import { UsageError } from '../../core/errors';
import type { PanelSettings } from '../../protocol/webview';

/** The `clipwise.*` settings, validated (package.json `contributes.configuration` declares the same). */
export interface ClipwiseSettings {
  readonly bits: number;
  readonly range: RangeMethod;
  readonly percentile: number;
  readonly grid: string;
  readonly objective: Objective;
  readonly diagnostics: {
    readonly enabled: boolean;
    readonly maxPerFile: number;
    readonly errorThreshold: number | null;
  };
  readonly maxTensorBytes: number;
}

/** Defaults: 8 bits and the 99th percentile, as the seed notebook; the grid 99:100:0.01 of the numerics contract. */
export const defaultSettings: ClipwiseSettings = {
  bits: 8,
  range: 'percentile',
  percentile: 99,
  grid: '99:100:0.01',
  objective: 'mse',
  diagnostics: { enabled: true, maxPerFile: 200, errorThreshold: null },
  maxTensorBytes: defaultMaxTensorBytes,
};

/** Most element diagnostics one file may be given, whatever the setting says. */
export const maxDiagnosticsPerFileCap = 10_000;

/** Settings as read, and what was wrong with the values that fell back to their defaults. */
export interface SettingsReading {
  readonly settings: ClipwiseSettings;
  readonly problems: readonly string[];
}

/**
 * Validates raw setting values (`get('bits')`, `get('diagnostics.maxPerFile')`, ...); a value that is
 * missing keeps its default silently, a bad one keeps its default and is named in `problems`.
 */
export function readSettings(get: (key: string) => unknown): SettingsReading {
  const problems: string[] = [];
  function pick<T>(key: string, fallback: T, check: (value: unknown) => string | undefined): T {
    const value = get(key);
    if (value === undefined) return fallback;
    const problem = check(value);
    if (problem === undefined) return value as T;
    problems.push(`Setting clipwise.${key} is ${JSON.stringify(value)}: ${problem} Using ${JSON.stringify(fallback)}.`);
    return fallback;
  }
  const d = defaultSettings;
  return {
    settings: {
      bits: pick('bits', d.bits, checkBitsValue),
      range: pick('range', d.range, (v) => (v === 'minmax' || v === 'percentile' ? undefined : 'expected "minmax" or "percentile".')),
      percentile: pick('percentile', d.percentile, checkPercentileValue),
      grid: pick('grid', d.grid, (v) => (typeof v === 'string' ? validateGridText(v) : `expected a grid ${gridForms}.`)),
      objective: pick('objective', d.objective, (v) => (typeof v === 'string' && (objectives as readonly string[]).includes(v) ? undefined : `expected one of ${objectives.join(', ')}.`)),
      diagnostics: {
        enabled: pick('diagnostics.enabled', d.diagnostics.enabled, (v) => (typeof v === 'boolean' ? undefined : 'expected true or false.')),
        maxPerFile: pick('diagnostics.maxPerFile', d.diagnostics.maxPerFile, (v) =>
          Number.isInteger(v) && (v as number) >= 0 && (v as number) <= maxDiagnosticsPerFileCap ? undefined : `expected an integer from 0 to ${maxDiagnosticsPerFileCap}.`),
        errorThreshold: pick<number | null>('diagnostics.errorThreshold', d.diagnostics.errorThreshold, (v) =>
          v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0) ? undefined : 'expected null or a number of at least 0.'),
      },
      maxTensorBytes: pick('maxTensorBytes', d.maxTensorBytes, (v) =>
        Number.isSafeInteger(v) && (v as number) > 0 ? undefined : 'expected a positive whole number of bytes.'),
    },
    problems,
  };
}

function checkBitsValue(v: unknown): string | undefined {
  return Number.isInteger(v) && (v as number) >= minBits && (v as number) <= maxBits ? undefined : `expected an integer from ${minBits} to ${maxBits}.`;
}

function checkPercentileValue(v: unknown): string | undefined {
  return typeof v === 'number' && v > 50 && v <= 100 ? undefined : 'expected a number greater than 50 and at most 100.';
}

/** The message an input box shows under bits typed by the user, or undefined when they are fine. */
export function validateBitsText(text: string): string | undefined {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return `Type a whole number of bits from ${minBits} to ${maxBits}.`;
  return checkBitsValue(Number(t)) === undefined ? undefined : `Bits must be from ${minBits} to ${maxBits}; got ${t}.`;
}

/** The message an input box shows under a percentile typed by the user, or undefined when it is fine. */
export function validatePercentileText(text: string): string | undefined {
  const t = text.trim();
  const p = t === '' ? NaN : Number(t);
  try {
    checkPercentile(p);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * The message an input box shows under a grid typed by the user, or undefined when the core would search
 * it: the core's parseGrid decides the form, and gridCandidates the range of a from:to:step grid (a nines
 * grid depends on the tensor's size, so only the search can list it).
 */
export function validateGridText(text: string): string | undefined {
  let request: GridRequest;
  try {
    request = parseGrid(text);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return err.message;
  }
  try {
    if (request.kind === 'range') gridCandidates(request.spec);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** The panel's controls as the settings set them, for one tensor. */
export function panelSettingsFrom(settings: ClipwiseSettings, tensor: string): PanelSettings {
  return { tensor, bits: settings.bits, range: settings.range, percentile: settings.percentile, grid: settings.grid, objective: settings.objective };
}

/**
 * The quantization a panel's controls ask for. "Best of grid" uses the grid search's best percentile
 * (`bestPercentile`; null when the best was min-max); before any search it falls back to the percentile control.
 */
export function quantizeOptionsOf(settings: PanelSettings, bestPercentile?: number | null): QuantizeOptions {
  const { bits, percentile } = settings;
  if (settings.range === 'minmax') return { bits, range: 'minmax', percentile };
  if (settings.range === 'bestOfGrid' && bestPercentile !== undefined) {
    return bestPercentile === null ? { bits, range: 'minmax', percentile } : { bits, range: 'percentile', percentile: bestPercentile };
  }
  return { bits, range: 'percentile', percentile };
}
