import { CancelledError, isUserError, TensorFormatError } from '../../core/errors';
import { parseJsonTensorText, type JsonTensor } from '../../core/formats/jsonTensors';
import type { ReadLimits } from '../../core/formats/tensorFile';
import { dequantizeCode, quantizeValue, type AffineParams } from '../../core/quant/affineParams';
import type { QuantizeOptions } from '../../core/quant/clipRange';
import { buildQuantizeReport, prepareSubject } from '../../core/report/buildReports';
import { formatNumber } from '../../core/report/formatNumber';
import type { QuantizeReport } from '../../core/report/reportTypes';
import type {
  DiagnosticRecord,
  JsonAnalysis,
  JsonDiagnosticOptions,
  JsonElementInfo,
  JsonTensorSummary,
  OffsetRange,
} from '../../protocol/worker';
import { countText, shareText } from './numberText';

/** One tensor of an analysed text, with what is needed to answer hovers later. */
export interface AnalyzedJsonTensor {
  readonly tensor: JsonTensor;
  readonly params?: AffineParams;
}

/** A JSON text read, quantized and turned into diagnostics. */
export interface AnalyzedJson {
  readonly analysis: Omit<JsonAnalysis, 'version'>;
  readonly tensors: readonly AnalyzedJsonTensor[];
}

/** "8-bit percentile 99" or "8-bit min-max". */
export function describeOptions(options: QuantizeOptions): string {
  return options.range === 'minmax' ? `${options.bits}-bit min-max` : `${options.bits}-bit percentile ${options.percentile}`;
}

/**
 * Reads a JSON tensor text with element spans, quantizes every tensor with `options`, and builds the
 * diagnostics: an error where the text is unreadable; else a summary at the top, report warnings at
 * each tensor, a warning on each clipped element and an information on each element whose |error|
 * exceeds the threshold — clipped elements first, at most `maxPerFile` in all, then one that counts the rest.
 */
export function analyzeJsonText(
  text: string,
  fileName: string,
  options: QuantizeOptions,
  diagnosticOptions: JsonDiagnosticOptions,
  limits: ReadLimits,
  signal?: { readonly aborted: boolean },
): AnalyzedJson {
  let tensors: readonly JsonTensor[];
  try {
    tensors = parseJsonTensorText(text, fileName, { elementSpans: true, maxTensorBytes: limits.maxTensorBytes }).tensors;
  } catch (err) {
    if (err instanceof TensorFormatError) return { analysis: { tensors: [], diagnostics: [formatErrorRecord(text, err)] }, tensors: [] };
    throw err;
  }
  const top = fileTop(text);
  const label = describeOptions(options);
  const isSeveral = tensors.length > 1;
  const diagnostics: DiagnosticRecord[] = [];
  const analyzed: AnalyzedJsonTensor[] = [];
  const summaries: JsonTensorSummary[] = [];
  const reports: Array<{ name: string; report: QuantizeReport }> = [];

  for (const tensor of tensors) {
    if (signal?.aborted) throw new CancelledError();
    const head = tensorHead(tensor);
    const summary: JsonTensorSummary = {
      name: tensor.info.name,
      dtype: tensor.info.dtype,
      shape: tensor.info.shape,
      count: tensor.info.count,
      span: { start: tensor.span.start, end: tensor.span.end },
      ...(tensor.keySpan ? { keySpan: { start: tensor.keySpan.start, end: tensor.keySpan.end } } : {}),
    };
    let report: QuantizeReport;
    try {
      const subject = prepareSubject({ ...tensor.info, values: tensor.values, warnings: tensor.warnings });
      report = buildQuantizeReport(subject, options, { histogramBins: 0 });
    } catch (err) {
      if (!isUserError(err)) throw err;
      diagnostics.push({ range: head, severity: 'error', kind: 'format', message: err.message });
      summaries.push(summary);
      analyzed.push({ tensor });
      continue;
    }
    const params = paramsOf(report);
    summaries.push({
      ...summary,
      quantization: {
        bits: params.bits, scale: params.scale, zeroPoint: params.zeroPoint, qmin: params.qmin, qmax: params.qmax,
        clipMin: params.clipMin, clipMax: params.clipMax, metrics: report.metrics,
      },
    });
    analyzed.push({ tensor, params });
    reports.push({ name: tensor.info.name, report });
    const prefix = isSeveral ? `'${tensor.info.name}': ` : '';
    if (isSeveral) diagnostics.push({ range: head, severity: 'information', kind: 'summary', message: `${prefix}${label}: ${reportFigures(report)}` });
    for (const warning of report.warnings) diagnostics.push({ range: head, severity: 'information', kind: 'reportWarning', message: `${prefix}${warning}` });
  }

  if (reports.length === 1 && !isSeveral) {
    diagnostics.unshift({ range: top, severity: 'information', kind: 'summary', message: `${label}: ${reportFigures(reports[0].report)}` });
  } else if (isSeveral) {
    const clipped = reports.reduce((n, r) => n + r.report.metrics.clippedCount, 0);
    const quantized = reports.length === tensors.length ? `${tensors.length} tensors` : `${reports.length} of ${tensors.length} tensors quantized`;
    diagnostics.unshift({
      range: top,
      severity: 'information',
      kind: 'summary',
      message: `${label}: ${quantized}, ${countText(clipped)} ${clipped === 1 ? 'element' : 'elements'} clipped in all; hover a number for its code and error.`,
    });
  }

  const elements = elementDiagnostics(text, analyzed, diagnosticOptions, signal);
  diagnostics.push(...elements.records);
  if (elements.leftOut > 0) {
    const what = diagnosticOptions.errorThreshold === null ? 'clipped elements' : 'elements clipped or above the error threshold';
    diagnostics.push({
      range: top,
      severity: 'information',
      kind: 'more',
      message: `${countText(elements.leftOut)} more ${what} are not marked; at most ${countText(diagnosticOptions.maxPerFile)} are (clipwise.diagnostics.maxPerFile).`,
    });
  }
  return { analysis: { tensors: summaries, diagnostics }, tensors: analyzed };
}

/** scale, zero point, MSE, SQNR and clipped count, for a summary line. */
function reportFigures(r: QuantizeReport): string {
  const m = r.metrics;
  const sqnr = m.sqnrDb === Infinity ? 'inf' : `${m.sqnrDb.toFixed(2)} dB`;
  return (
    `scale ${formatNumber(r.scale)}, zero point ${formatNumber(r.zeroPoint)}, MSE ${formatNumber(m.mse)}, SQNR ${sqnr}, ` +
    `${countText(m.clippedCount)} clipped (${shareText(m.clippedFraction)}).`
  );
}

/** The affine map a report was built with. */
function paramsOf(r: QuantizeReport): AffineParams {
  return { bits: r.params.bits, scale: r.scale, zeroPoint: r.zeroPoint, qmin: r.qmin, qmax: r.qmax, clipMin: r.clipMin, clipMax: r.clipMax, warnings: [] };
}

/** Element diagnostics in file order: clipped elements first, then those above the threshold, at most `maxPerFile`. */
function elementDiagnostics(
  text: string,
  tensors: readonly AnalyzedJsonTensor[],
  options: JsonDiagnosticOptions,
  signal?: { readonly aborted: boolean },
): { records: DiagnosticRecord[]; leftOut: number } {
  const max = Math.max(0, Math.floor(options.maxPerFile));
  const threshold = options.errorThreshold;
  const clipped: DiagnosticRecord[] = [];
  const large: DiagnosticRecord[] = [];
  let clippedCount = 0;
  let largeCount = 0;
  for (const { tensor, params } of tensors) {
    if (params === undefined) continue;
    const { values, elementSpans } = tensor;
    for (let i = 0; i < values.length; i++) {
      if ((i & 0xffff) === 0 && signal?.aborted) throw new CancelledError();
      const x = values[i];
      if (!Number.isFinite(x)) continue;
      const isClipped = x < params.clipMin || x > params.clipMax;
      if (!isClipped && (threshold === null || !(Math.abs(x - dequantizeCode(quantizeValue(x, params), params)) > threshold))) continue;
      const range = { start: elementSpans[2 * i], end: elementSpans[2 * i + 1] };
      if (isClipped) {
        clippedCount++;
        if (clipped.length < max) clipped.push({ range, severity: 'warning', kind: 'clipped', message: elementMessage(text, range, x, params, true, threshold) });
      } else {
        largeCount++;
        if (large.length < max) large.push({ range, severity: 'information', kind: 'aboveThreshold', message: elementMessage(text, range, x, params, false, threshold) });
      }
    }
  }
  const kept = clipped.concat(large.slice(0, max - clipped.length));
  kept.sort((a, b) => a.range.start - b.range.start);
  return { records: kept, leftOut: clippedCount + largeCount - kept.length };
}

function elementMessage(text: string, range: OffsetRange, x: number, p: AffineParams, isClipped: boolean, threshold: number | null): string {
  const q = quantizeValue(x, p);
  const xHat = dequantizeCode(q, p);
  const written = text.slice(range.start, Math.min(range.end, range.start + 40));
  const error = x - xHat;
  if (isClipped) {
    const side = x > p.clipMax ? `above the clip range's top ${formatNumber(p.clipMax)}` : `below the clip range's bottom ${formatNumber(p.clipMin)}`;
    return `${written} is clipped (${side}): it becomes ${formatNumber(xHat)} (code ${q}), error ${formatNumber(error)}.`;
  }
  return `${written} becomes ${formatNumber(xHat)} (code ${q}): |error| ${formatNumber(Math.abs(error))} is above the threshold ${formatNumber(threshold ?? 0)}.`;
}

/** What a hover shows for the number at `offset`: its code, its dequantized value and its error. */
export function inspectJsonElement(analyzed: AnalyzedJson, offset: number): JsonElementInfo | null {
  for (const { tensor, params } of analyzed.tensors) {
    if (params === undefined || offset < tensor.span.start || offset >= tensor.span.end) continue;
    const spans = tensor.elementSpans;
    let lo = 0;
    let hi = spans.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (spans[2 * mid + 1] <= offset) lo = mid + 1;
      else if (spans[2 * mid] > offset) hi = mid - 1;
      else {
        const value = tensor.values[mid];
        const code = quantizeValue(value, params);
        const dequantized = dequantizeCode(code, params);
        return {
          tensor: tensor.info.name,
          index: unravelIndex(mid, tensor.info.shape),
          range: { start: spans[2 * mid], end: spans[2 * mid + 1] },
          value,
          code,
          dequantized,
          error: Number.isFinite(value) ? value - dequantized : NaN,
          isClipped: value < params.clipMin || value > params.clipMax,
          bits: params.bits,
        };
      }
    }
  }
  return null;
}

/** numpy.unravel_index in C order; [] for a 0-d tensor. */
export function unravelIndex(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    const dim = shape[d];
    index[d] = dim === 0 ? 0 : flat % dim;
    flat = dim === 0 ? 0 : Math.floor(flat / dim);
  }
  return index;
}

/** The first character of the text that is not blank (one character, or an empty range in an empty text). */
function fileTop(text: string): OffsetRange {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  return i < text.length ? { start: i, end: i + 1 } : { start: 0, end: 0 };
}

/** Where a tensor's own diagnostics go: its name in a file of named tensors, else its first character. */
function tensorHead(tensor: JsonTensor): OffsetRange {
  if (tensor.keySpan) return { start: tensor.keySpan.start, end: tensor.keySpan.end };
  return { start: tensor.span.start, end: Math.min(tensor.span.end, tensor.span.start + 1) };
}

/** The error of an unreadable text, on the token it points at. */
export function formatErrorRecord(text: string, err: TensorFormatError): DiagnosticRecord {
  const offset = err.location.offset ?? offsetOf(text, err.location.line, err.location.column);
  return { range: tokenAt(text, offset), severity: 'error', kind: 'format', message: err.message };
}

function offsetOf(text: string, line: number | undefined, column: number | undefined): number {
  if (line === undefined) return 0;
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return Math.min(text.length, offset + Math.max(0, (column ?? 1) - 1));
}

/** The token starting at `offset`: a run of word characters (a number, a literal), else one character. */
function tokenAt(text: string, offset: number): OffsetRange {
  const start = Math.max(0, Math.min(offset, text.length));
  if (start >= text.length) return { start, end: start };
  let end = start;
  while (end < text.length && end - start < 64 && /[\w.+-]/.test(text[end])) end++;
  if (end === start) end = start + 1;
  return { start, end };
}
