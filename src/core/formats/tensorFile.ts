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
}

/** The formats Clipwise reads. */
export type TensorFormatName = 'npy' | 'npz' | 'safetensors' | 'json';
