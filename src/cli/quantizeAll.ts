import { TensorFormatError } from '../core/errors';
import { isFloat32Dtype } from '../core/formats/tensorChunks';
import type { ReadLimits, TensorFile, WorkControl } from '../core/formats/tensorFile';
import type { QuantizeOptions } from '../core/quant/clipRange';
import { buildQuantizeReport, prepareSubject, type ReportOptions } from '../core/report/buildReports';
import { formatNumber } from '../core/report/formatNumber';
import type { QuantizeReport } from '../core/report/reportTypes';
import { prepareStreamedSubject } from '../core/report/searchSubject';
import { streamQuantizeReport } from '../core/report/streamingQuantizeReport';
import { formatShape } from '../core/tensor';
import { rangeScheme } from './readable';

/**
 * Float64 size from which a quantize streams its tensor (when the format can) rather than holding
 * it: the streamed report is the same bit for bit, but the whole read takes the values plus a
 * sorted copy, which for 10^8 elements is 1.6 GB.
 */
export const streamFromBytes = 64 * 1024 * 1024;

/**
 * Values from which a quantize keeps a float32 tensor in its radix buckets: below, the tables of 65536
 * buckets cost more than the tensor (300 tensors of 768 values took 0.94 s so, against 0.54 s read whole).
 */
export const bucketsFromValues = 1 << 20;

/**
 * Values up to which a quantize keeps a float32 tensor in its radix buckets when the format could also
 * stream it as float64: the buckets and what the report builds over them take about 6 bytes a value of
 * fresh memory, which costs ~12 µs a page here. A 10^8-element float16 .safetensors tensor took 5.5 s
 * and 631 MB in its buckets against 3.9 s and 179 MB streamed; at 2^24 values the two hold about as much.
 */
export const bucketsUpToValues = 1 << 24;

/**
 * The quantize report of one tensor. A float32 tensor of a million values and more that the file
 * streams as float32 (.npy, .npz, .safetensors) is read twice in chunks and kept in its radix buckets,
 * as for a search (prepareStreamedSubject), up to bucketsUpToValues where the format can also stream it
 * as float64. 10^7 elements, the same JSON byte for byte: an .npy took 0.42-0.53 s and 122 MB so against
 * 0.60-0.64 s and 216 MB read whole; against streamed as float64 (five passes), an .npz member 0.51 s
 * and 145 MB against 0.88-1.01 s and 132 MB, deflated 1.77 s and 157 MB against 2.58 s and 205 MB, a
 * .safetensors tensor 0.40 s and 121 MB against 0.83 s and 164 MB. Any other tensor is streamed when
 * large or above the read limit and the format can (nothing as large as the tensor is held), else read
 * whole.
 */
export async function quantizeTensorReport(
  file: TensorFile,
  name: string,
  options: QuantizeOptions,
  reportOptions: ReportOptions,
  limits: ReadLimits,
  control: WorkControl,
): Promise<QuantizeReport> {
  const info = file.tensors.find((t) => t.name === name);
  const valueBytes = (info?.count ?? 0) * Float64Array.BYTES_PER_ELEMENT;
  // Within the read limit only: the buckets are held, and the formats refuse a tensor above it so.
  const inBuckets = info && info.count >= bucketsFromValues && isFloat32Dtype(info.dtype) && valueBytes <= limits.maxTensorBytes;
  if (inBuckets && (info.count <= bucketsUpToValues || !file.readChunks)) {
    const subject = await prepareStreamedSubject(file, name, control);
    if (subject) return buildQuantizeReport(subject, options, reportOptions);
  }
  if (file.readChunks && info && (valueBytes >= streamFromBytes || valueBytes > limits.maxTensorBytes)) {
    return streamQuantizeReport(file, name, options, reportOptions, control);
  }
  return buildQuantizeReport(prepareSubject(await file.read(name, control)), options, reportOptions);
}

/** A tensor of `quantize --all` that could not be quantized (empty, no finite value, too large...). */
export interface QuantizeFailure {
  readonly tensor: { readonly name: string; readonly dtype: string; readonly shape: readonly number[]; readonly count: number };
  readonly error: string;
}

/** One entry of `quantize --all --json`: a report, or why that tensor has none. */
export type QuantizeAllEntry = QuantizeReport | QuantizeFailure;

/**
 * Quantizes every tensor of a file in file order. A tensor the file cannot give (a format error
 * such as an empty tensor) becomes a failure entry so the others are still reported.
 */
export async function quantizeAllTensors(
  file: TensorFile,
  options: QuantizeOptions,
  reportOptions: ReportOptions,
  limits: ReadLimits,
  control: WorkControl,
): Promise<QuantizeAllEntry[]> {
  const entries: QuantizeAllEntry[] = [];
  const n = file.tensors.length;
  for (const [i, info] of file.tensors.entries()) {
    const each: WorkControl = { signal: control.signal, onProgress: (f) => control.onProgress?.((i + f) / n) };
    try {
      entries.push(await quantizeTensorReport(file, info.name, options, reportOptions, limits, each));
    } catch (err) {
      if (!(err instanceof TensorFormatError)) throw err;
      entries.push({ tensor: { name: info.name, dtype: info.dtype, shape: info.shape, count: info.count }, error: err.message });
    }
    control.onProgress?.((i + 1) / n);
  }
  return entries;
}

function isFailure(entry: QuantizeAllEntry): entry is QuantizeFailure {
  return 'error' in entry;
}

/** `quantize --all` in readable form: a title, then one aligned line per tensor. */
export function formatQuantizeAll(fileName: string, format: string, options: QuantizeOptions, entries: readonly QuantizeAllEntry[]): string {
  const scheme = rangeScheme(options.range, options.percentile);
  const head = ['name', 'dtype', 'shape', 'scale', 'zero point', 'MSE', 'SQNR dB', 'max |error|', 'clipped', 'non-finite'];
  const rows = entries.map((e) => {
    const first = [e.tensor.name, e.tensor.dtype, formatShape(e.tensor.shape)];
    if (isFailure(e)) return first;
    const m = e.metrics;
    return [...first, formatNumber(e.scale), formatNumber(e.zeroPoint), formatNumber(m.mse), formatNumber(m.sqnrDb), formatNumber(m.maxAbsError), String(m.clippedCount), String(e.tensor.nonFiniteCount)];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const lines = [line(head)];
  entries.forEach((e, i) => lines.push(isFailure(e) ? `${line(rows[i])}  error: ${e.error}` : line(rows[i])));
  const count = `${entries.length} tensor${entries.length === 1 ? '' : 's'}`;
  return `${fileName} (${format}, ${count}): asymmetric ${scheme}, ${options.bits} bits\n${lines.join('\n')}\n`;
}
