import type { DType } from './dtype';

/** What a file says about one tensor before its data is read. */
export interface TensorInfo {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Number of elements: the product of the shape (1 for a 0-d array). */
  readonly count: number;
  /** Bytes the data occupies in the file (0 when not meaningful, as for JSON). */
  readonly byteSize: number;
}

/** A tensor with its elements converted exactly to float64 (NaN and ±Inf kept as they are). */
export interface Tensor extends TensorInfo {
  /** Elements in C (row-major) order. */
  readonly values: Float64Array;
  /** Things the reader noticed that the user should know (e.g. int64 values rounded). */
  readonly warnings: readonly string[];
}

/** The number of elements of a shape. */
export function shapeCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}

/** Shape as numpy prints it: (3,), (2, 3), (). */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}
