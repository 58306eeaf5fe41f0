import { formatNumber } from '../core/report/formatNumber';
import type { QuantizeReport } from '../core/report/reportTypes';
import { formatShape } from '../core/tensor';

/** "8-bit percentile 99" or "8-bit min-max", from a report. */
export function schemeText(report: QuantizeReport): string {
  const { bits, range, percentile } = report.params;
  return range === 'minmax' || percentile === null ? `${bits}-bit min-max` : `${bits}-bit percentile ${percentile}`;
}

/** SQNR in dB with two decimals; "inf" when nothing was lost. */
export function sqnrText(db: number): string {
  return db === Infinity ? 'inf' : `${db.toFixed(2)} dB`;
}

/** One line for the Problems panel: tensor, scheme, scale, zero point, MSE, SQNR, clipped count. */
export function summaryLine(report: QuantizeReport): string {
  const t = report.tensor;
  const m = report.metrics;
  return (
    `'${t.name}' ${t.dtype} ${formatShape(t.shape)}, ${schemeText(report)}: scale ${formatNumber(report.scale)}, ` +
    `zero point ${formatNumber(report.zeroPoint)}, MSE ${formatNumber(m.mse)}, SQNR ${sqnrText(m.sqnrDb)}, ` +
    `${m.clippedCount} clipped (${Number((m.clippedFraction * 100).toPrecision(3))}%).`
  );
}

/** The status bar's text: dtype, shape and current MSE. */
export function statusText(dtype: string, shape: readonly number[], mse: number | undefined): string {
  const error = mse === undefined ? '' : ` · MSE ${formatNumber(mse)}`;
  return `${dtype} ${formatShape(shape)}${error}`;
}
