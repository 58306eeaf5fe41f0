import type { DType } from '../../core/dtype';
import type { TensorFormatName } from '../../core/formats/tensorFile';
import type { QuantizeReport } from '../../core/report/reportTypes';

/** What the snippet reproduces: a tensor of a file and Clipwise's report on it. */
export interface SnippetInput {
  /** The file's path as Python should open it. */
  readonly path: string;
  readonly format: TensorFormatName;
  readonly report: QuantizeReport;
}

/** A float as a Python literal that reads back to the same double (shortest round trip, as repr). */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return "float('nan')";
  if (x === Infinity) return "float('inf')";
  if (x === -Infinity) return "-float('inf')";
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/** A Python string literal (JSON's escapes are Python's, and backslashes in Windows paths are escaped). */
export function pythonString(text: string): string {
  return JSON.stringify(text);
}

const nonNumpyDtypes: ReadonlySet<DType> = new Set<DType>(['bfloat16', 'float8_e4m3fn', 'float8_e5m2']);

/** Lines that load the tensor into `x`, a float64 numpy array, as Clipwise reads it. */
function loadLines(input: SnippetInput): string[] {
  const path = pythonString(input.path);
  const name = pythonString(input.report.tensor.name);
  const shape = `(${input.report.tensor.shape.join(', ')}${input.report.tensor.shape.length === 1 ? ',' : ''})`;
  switch (input.format) {
    case 'npy':
      return [`x = np.load(${path}).astype(np.float64)`];
    case 'npz':
      return [`x = np.load(${path})[${name}].astype(np.float64)`];
    case 'safetensors':
      if (nonNumpyDtypes.has(input.report.tensor.dtype)) {
        return [
          `from safetensors.torch import load_file  # numpy has no ${input.report.tensor.dtype}`,
          `x = load_file(${path})[${name}].double().numpy()`,
        ];
      }
      return ['from safetensors.numpy import load_file', `x = load_file(${path})[${name}].astype(np.float64)`];
    case 'json':
      return [
        'import json',
        `with open(${path}) as f:`,
        '    doc = json.load(f)  # Python reads NaN and Infinity too',
        `t = doc if isinstance(doc, list) or "data" in doc else doc[${name}]`,
        `x = np.asarray(t["data"] if isinstance(t, dict) else t, dtype=np.float64).reshape(${shape})`,
      ];
  }
}

/** True when the report says Clipwise changed the range the seed's formulas would give (degenerate or overflowing). */
function isRangeAdjusted(report: QuantizeReport): boolean {
  return report.warnings.some((w) => /widened|range is empty|too narrow|wider than float64/.test(w));
}

/**
 * Python that reproduces a Clipwise quantization: the seed's formulas in numpy (exact: the same codes,
 * scale and zero point), then the same with PyTorch — torch.quantize_per_tensor at 8 bits,
 * torch.fake_quantize_per_tensor_affine at other widths — with the differences PyTorch brings named.
 */
export function pythonSnippet(input: SnippetInput): string {
  const r = input.report;
  const t = r.tensor;
  const bits = r.params.bits;
  const qmax = r.qmax;
  const isPercentile = r.params.range === 'percentile' && r.params.percentile !== null;
  const scheme = isPercentile ? `percentile ${r.params.percentile}` : 'min-max';
  const lines: string[] = [
    `# Clipwise: ${bits}-bit asymmetric quantization of '${t.name}' (${scheme}), as the seed notebook computes it.`,
    'import numpy as np',
    '',
    ...loadLines(input),
    `bits = ${bits}`,
    `qmax = 2**bits - 1  # codes 0..${qmax}`,
    'finite = x[np.isfinite(x)]  # NaN and ±Inf are left out of the range and of every error',
  ];
  if (isPercentile) {
    const p = r.params.percentile as number;
    lines.push(
      `percentile = ${pythonFloat(p)}  # keep the values between the ${pythonFloat(100 - p)}th and the ${pythonFloat(p)}th percentile`,
      'alpha = np.percentile(finite, percentile)',
      'beta = np.percentile(finite, 100 - percentile)',
    );
  } else {
    lines.push('alpha = finite.max()', 'beta = finite.min()');
  }
  if (isRangeAdjusted(r)) {
    lines.push(
      '# The seed divides by zero here; Clipwise adjusted the range (see its warnings), so take its values:',
      `beta, alpha = ${pythonFloat(r.clipMin)}, ${pythonFloat(r.clipMax)}`,
    );
  }
  lines.push(
    'scale = (alpha - beta) / qmax',
    'zero_point = -1 * np.round(beta / scale)  # np.round rounds half to even',
    'q = np.clip(np.round(x / scale + zero_point), 0, qmax)',
  );
  if (t.nonFiniteCount > 0) {
    lines.push('q = np.where(np.isnan(x), np.clip(np.round(zero_point), 0, qmax), q)  # NaN takes the code nearest 0; ±Inf clip to qmax and 0');
  }
  lines.push(
    'x_hat = scale * (q - zero_point)',
    'mse = np.mean((finite - x_hat[np.isfinite(x)]) ** 2)',
    '',
    `# Clipwise: scale ${pythonFloat(r.scale)}, zero point ${pythonFloat(r.zeroPoint)}, MSE ${pythonFloat(r.metrics.mse)}`,
    `assert scale == ${pythonFloat(r.scale)} and zero_point == ${pythonFloat(r.zeroPoint)}`,
    'print(f"scale={float(scale)!r} zero_point={float(zero_point)!r} mse={float(mse)!r}")',
    '',
    ...torchLines(r),
  );
  return `${lines.join('\n')}\n`;
}

function torchLines(r: QuantizeReport): string[] {
  const bits = r.params.bits;
  const qmax = r.qmax;
  const zp = r.zeroPoint;
  const isInRange = zp >= 0 && zp <= qmax;
  const lines: string[] = [
    '# The same with PyTorch. It wants a float32 tensor, a Python float scale and an integer zero point in',
    `# [0, ${qmax}]; it rounds x / scale before adding the zero point (an exact tie can land one code away from`,
    '# the seed\'s round(x / scale + zero_point) when the zero point is odd) and works in float32.',
    'import torch',
    '',
    't = torch.from_numpy(x).float()',
  ];
  if (isInRange) {
    lines.push('zp = int(zero_point)');
  } else {
    lines.push(
      `# The seed's zero point ${pythonFloat(zp)} lies outside the codes [0, ${qmax}], so 0 is not representable.`,
      `# PyTorch needs an integer zero point in [0, ${qmax}] and refuses this one: it is clamped below, so`,
      "# PyTorch's codes differ from Clipwise's (PyTorch's observers widen the range to include 0 instead).",
      'zp = int(min(max(zero_point, 0), qmax))',
    );
  }
  if (bits === 8) {
    lines.push(
      'qt = torch.quantize_per_tensor(t, scale=float(scale), zero_point=zp, dtype=torch.quint8)',
      'codes_torch = qt.int_repr()',
      'x_hat_torch = qt.dequantize()',
    );
  } else {
    lines.push(
      `# torch.quantize_per_tensor has no ${bits}-bit type (quint8 is 8-bit); fake quantization takes any code range.`,
      'x_hat_torch = torch.fake_quantize_per_tensor_affine(t, float(scale), zp, 0, qmax)',
    );
  }
  lines.push('print("largest |difference| from numpy:", np.abs(x_hat_torch.double().numpy() - x_hat)[np.isfinite(x)].max())');
  return lines;
}
