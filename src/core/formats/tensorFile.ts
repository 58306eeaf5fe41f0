import type { Tensor, TensorInfo } from '../tensor';

/** Limits a reader enforces while opening and reading a file. */
export interface ReadLimits {
  /** Largest tensor (in bytes of float64 values or of inflated data) a read may produce. */
  readonly maxTensorBytes: number;
}

/** 1 GiB: the default cap on what one tensor may take in memory. */
export const defaultMaxTensorBytes = 1024 ** 3;

/** Stop and watch long reads. */
export interface WorkControl {
  readonly signal?: { readonly aborted: boolean };
  readonly onProgress?: (fraction: number) => void;
}

/** An opened tensor file: its listing comes from the header alone; data is read on demand. */
export interface TensorFile {
  /** Which format the file was recognised as. */
  readonly format: TensorFormatName;
  /** Every tensor of the file, in file order. */
  readonly tensors: readonly TensorInfo[];
  /** Reads one tensor's values; `name` must be one listed in `tensors`. */
  read(name: string, control?: WorkControl): Promise<Tensor>;
  /**
   * Streams one tensor's values in C order without holding them all, so that statistics and
   * min-max work need not fit the tensor in memory; formats that cannot stream leave it out.
   */
  readChunks?(name: string, control?: WorkControl): TensorChunks;
}

/** Consecutive elements of one tensor, in C order. */
export interface TensorChunk {
  /** Index of the chunk's first element in the tensor. */
  readonly start: number;
  /** The elements converted exactly to float64; the array may be reused once the next chunk is asked for. */
  readonly values: Float64Array;
}

/** One streaming pass over a tensor; iterate it again for another pass. */
export interface TensorChunks extends AsyncIterable<TensorChunk> {
  /** What the reader noticed, as `Tensor.warnings`; complete once a pass has ended. */
  readonly warnings: readonly string[];
}

/** The formats Clipwise reads. */
export type TensorFormatName = 'npy' | 'npz' | 'safetensors' | 'json';
