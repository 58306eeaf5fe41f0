import { TensorFormatError } from '../errors';

/** The finite elements of a tensor, and how many were left out. */
export interface FiniteValues {
  readonly values: Float64Array | Float32Array;
  readonly nanCount: number;
  readonly posInfCount: number;
  readonly negInfCount: number;
}

/** Copies out the finite elements; NaN and ±Inf are counted and set aside (numerics contract, Values). */
export function finiteValues(values: Float64Array): FiniteValues & { readonly values: Float64Array } {
  let nanCount = 0;
  let posInfCount = 0;
  let negInfCount = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) nanCount++;
    else if (v === Infinity) posInfCount++;
    else if (v === -Infinity) negInfCount++;
  }
  const skipped = nanCount + posInfCount + negInfCount;
  if (skipped === 0) return { values, nanCount, posInfCount, negInfCount };
  const out = new Float64Array(values.length - skipped);
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) out[j++] = v;
  }
  return { values: out, nanCount, posInfCount, negInfCount };
}

/** Refuses tensors with nothing to quantize: empty, or without a single finite value. */
export function requireFinite(finite: { readonly values: { readonly length: number } }, total: number, tensorName: string): void {
  if (total === 0) throw new TensorFormatError(`Tensor '${tensorName}' is empty; there is nothing to quantize.`);
  if (finite.values.length === 0) {
    throw new TensorFormatError(`Tensor '${tensorName}' has no finite value (all ${total} are NaN or infinite); there is nothing to quantize.`);
  }
}
