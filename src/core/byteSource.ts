import { TensorFormatError } from './errors';

/** Random-access bytes: an fs handle in the extension and the CLI, a Uint8Array in tests. */
export interface ByteSource {
  /** Display name for messages, usually the file's base name. */
  readonly name: string;
  readonly size: number;
  /** Resolves with exactly `length` bytes, or rejects; never reads past `size`. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Reads `length` bytes at `offset`, refusing ranges outside the source: bounds are checked here, once. */
export async function readExact(source: ByteSource, offset: number, length: number, what: string): Promise<Uint8Array> {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > source.size) {
    throw new TensorFormatError(
      `${source.name} is truncated: ${what} needs bytes ${offset}..${offset + length} but the file has ${source.size}.`,
      { offset },
    );
  }
  if (length === 0) return new Uint8Array(0);
  const bytes = await source.read(offset, length);
  if (bytes.length !== length) {
    throw new TensorFormatError(`${source.name} is truncated: ${what} ended after ${bytes.length} of ${length} bytes.`, { offset });
  }
  return bytes;
}

/** A byte source over bytes already in memory. */
export function memoryByteSource(bytes: Uint8Array, name = 'memory'): ByteSource {
  return {
    name,
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, offset + length),
  };
}
