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
  /**
   * Streams one tensor's elements as float32 bit patterns, in C order, when every value of its dtype is
   * a float32 (float32, float16, bfloat16, float8, bool and 8- and 16-bit integers) and the file can
   * give them in C order; undefined otherwise. Every pass reads the data again into one small reused
   * buffer, so nothing as large as the tensor is allocated: for a search, which needs one sorted copy
   * and no other. Limits apply as to `read`.
   */
  readFloat32Chunks?(name: string, control?: WorkControl): Float32Chunks | undefined;
}

/** Consecutive elements of one tensor as float32 bit patterns (NaN and ±Inf included). */
export interface Float32Chunk {
  /** Index of the chunk's first element in the tensor. */
  readonly start: number;
  /** The chunk's elements as float32 bits; the array is reused once the next chunk is asked for. */
  readonly bits: Int32Array;
}

/** One streaming pass over a tensor as float32; iterate it again for another pass. */
export interface Float32Chunks extends AsyncIterable<Float32Chunk> {
  /** What the reader noticed, as `Tensor.warnings`. */
  readonly warnings: readonly string[];
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
