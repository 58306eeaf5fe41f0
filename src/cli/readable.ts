import { formatShape } from '../core/tensor';
import type { TensorInfo } from '../core/tensor';
import type { Metrics } from '../core/quant/metrics';
import type { QuantizeRange } from '../core/quant/clipRange';
import { formatNumber } from '../core/report/formatNumber';
import type { QuantizeReport, SearchBest, SearchReport, TensorSummary } from '../core/report/reportTypes';

/** Rows as aligned columns: the first column left-aligned, the others right-aligned. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd())
    .join('\n');
}

/** `clipwise info`: one line per tensor. */
export function formatInfo(fileName: string, format: string, tensors: readonly TensorInfo[]): string {
  const rows = [['name', 'dtype', 'shape', 'count'], ...tensors.map((t) => [t.name, t.dtype, formatShape(t.shape), String(t.count)])];
  return `${fileName} (${format}, ${tensors.length} tensor${tensors.length === 1 ? '' : 's'})\n${formatTable(rows)}\n`;
}

function formatTensor(t: TensorSummary): string {
  const s = t.stats;
  const nonFinite = t.nonFiniteCount > 0 ? `, ${t.nonFiniteCount} non-finite` : '';
  return (
    `Tensor ${t.name}: ${t.dtype} ${formatShape(t.shape)}, ${t.count} values${nonFinite}\n` +
    `  min ${formatNumber(s.min)}  max ${formatNumber(s.max)}  mean ${formatNumber(s.mean)}  std ${formatNumber(s.std)}\n`
  );
}

function metricRows(m: Metrics): string[][] {
  return [
    ['MSE', formatNumber(m.mse)],
    ['MSE without outliers', formatNumber(m.mseInliers)],
    ['MAE', formatNumber(m.mae)],
    ['max |error|', formatNumber(m.maxAbsError)],
    ['SQNR (dB)', formatNumber(m.sqnrDb)],
    ['clipped', `${m.clippedCount} (${formatNumber(Number((m.clippedFraction * 100).toFixed(4)))}%)`],
  ];
}

function formatWarnings(warnings: readonly string[]): string {
  return warnings.map((w) => `warning: ${w}\n`).join('');
}

/** How a quantization's range was set, as its title says it: 'min-max', 'percentile 99', 'clip range as given'. */
export function rangeScheme(range: QuantizeRange, percentile: number | null): string {
  if (range === 'minmax') return 'min-max';
  if (range === 'clip') return 'clip range as given';
  return `percentile ${percentile}`;
}

/** `clipwise quantize` in readable form, laid out like the notebook's printout. */
export function formatQuantizeReport(r: QuantizeReport): string {
  const scheme = rangeScheme(r.params.range, r.params.percentile);
  const rows: string[][] = [
    ['scale', formatNumber(r.scale)],
    ['zero point', formatNumber(r.zeroPoint)],
    ['codes', `${r.qmin}..${r.qmax}`],
    ['clip range', `[${formatNumber(r.clipMin)}, ${formatNumber(r.clipMax)}]`],
    ...metricRows(r.metrics),
  ];
  return `${formatTensor(r.tensor)}\nAsymmetric (${scheme}), ${r.params.bits} bits\n${indent(formatTable(rows))}\n${formatWarnings(r.warnings)}`;
}

function indent(text: string): string {
  return text.replace(/^/gm, '  ');
}

function bestRow(label: string, b: SearchBest | { scale: number; zeroPoint: number; metrics: Metrics }, percentile: string): string[] {
  const m = b.metrics;
  return [label, percentile, formatNumber(b.scale), formatNumber(b.zeroPoint), formatNumber(m.mse), formatNumber(m.mseInliers), formatNumber(m.sqnrDb), String(m.clippedCount)];
}

/**
 * `clipwise search` in readable form. Beside the winner it shows the min-max baseline and the
 * best without outliers: on the notebook's tensor min-max wins on plain MSE (the clipped
 * outlier's own error dominates) while clipping wins once the outlier is set aside.
 */
export function formatSearchReport(r: SearchReport): string {
  const g = r.params.grid;
  const gridText = g === 'nines' ? 'nines' : `${g.from}:${g.to}:${g.step}`;
  const refined = r.params.refine > 0 ? `, refined ${r.params.refine} levels` : '';
  const head = r.params.method === 'optimal'
    ? `Optimal range search seeded by grid ${gridText} (${r.curve.length} steps), ${r.params.bits} bits, objective ${r.params.objective}\n`
    : `Grid search ${gridText}${refined} (${r.curve.length} candidates), ${r.params.bits} bits, objective ${r.params.objective}\n`;
  const rows: string[][] = [
    ['', 'percentile', 'scale', 'zero point', 'MSE', 'MSE w/o outliers', 'SQNR dB', 'clipped'],
    bestRow(`best (${r.params.objective})`, r.best, r.best.percentile === null ? `${formatNumber(r.best.lowerPercentile ?? null)}..${formatNumber(r.best.upperPercentile ?? null)}` : formatNumber(r.best.percentile)),
    bestRow('min-max baseline', r.minmax, '100'),
  ];
  if (r.params.objective !== 'mseInliers') rows.push(bestRow('best (mseInliers)', r.bestInliers, formatNumber(r.bestInliers.percentile)));
  const lines = [formatTensor(r.tensor), head, indent(formatTable(rows)), '', readingOf(r), formatWarnings(r.warnings)];
  return lines.join('\n');
}

function readingOf(r: SearchReport): string {
  const b = r.best;
  const i = r.bestInliers;
  const out: string[] = [];
  if (b.percentile === null) {
    out.push(
      `Under ${r.params.objective}, the range [${formatNumber(b.clipMin)}, ${formatNumber(b.clipMax)}] (percentiles ${formatNumber(b.lowerPercentile ?? null)} to ${formatNumber(b.upperPercentile ?? null)}) ` +
        `gives ${r.params.objective} ${formatNumber(b.metrics[r.params.objective])} against min-max's ${formatNumber(r.minmax.metrics[r.params.objective])}.`,
    );
  } else if (b.percentile === 100) {
    out.push(`Under ${r.params.objective}, min-max (percentile 100) wins: clipping costs more on the clipped values than it saves on the rest.`);
  } else {
    const o = r.params.objective;
    out.push(`Under ${o}, percentile ${formatNumber(b.percentile)} wins over min-max (${o} ${formatNumber(b.metrics[o])} against ${formatNumber(r.minmax.metrics[o])}).`);
  }
  if (i.percentile !== 100 && i.metrics.mseInliers < r.minmax.metrics.mseInliers) {
    out.push(
      `Setting outliers aside, percentile ${formatNumber(i.percentile)} gives MSE ${formatNumber(i.metrics.mseInliers)} against min-max's ${formatNumber(r.minmax.metrics.mseInliers)}.`,
    );
  }
  return out.map((l) => `${l}\n`).join('');
}
