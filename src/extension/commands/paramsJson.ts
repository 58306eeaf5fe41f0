import type { TensorFormatName } from '../../core/formats/tensorFile';
import type { QuantizeReport } from '../../core/report/reportTypes';

/** The formula every figure of the parameters file follows (the seed notebook's asymmetric quantization). */
export const quantizationFormula =
  'q = clip(round_half_even(x / scale + zeroPoint), qmin, qmax); x_hat = scale * (q - zeroPoint)';

/** The quantization parameters of one tensor as a JSON file: enough to quantize and dequantize elsewhere. */
export function paramsJson(fileName: string, format: TensorFormatName, report: QuantizeReport): string {
  const t = report.tensor;
  const document = {
    file: fileName,
    format,
    tensor: t.name,
    dtype: t.dtype,
    shape: t.shape,
    scheme: 'asymmetric',
    bits: report.params.bits,
    range: report.params.range,
    percentile: report.params.percentile,
    scale: report.scale,
    zeroPoint: report.zeroPoint,
    qmin: report.qmin,
    qmax: report.qmax,
    clipMin: report.clipMin,
    clipMax: report.clipMax,
    formula: quantizationFormula,
    metrics: report.metrics,
    warnings: report.warnings,
  };
  return `${toJsonText(document)}\n`;
}

/**
 * JSON with infinities written as 1e999 (as the CLI writes them), a number JSON.parse and Python's
 * json.loads read back as infinity; NaN never reaches a report.
 */
export function toJsonText(value: unknown): string {
  const marker = '\u0000inf\u0000';
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) && !Number.isNaN(v) ? (v > 0 ? marker : `-${marker}`) : v),
    2,
  );
  return text.replace(/"-\\u0000inf\\u0000"/g, '-1e999').replace(/"\\u0000inf\\u0000"/g, '1e999');
}
