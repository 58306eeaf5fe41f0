import { TensorFormatError } from './errors';

/** Random-access bytes: an fs handle in the extension and the CLI, a Uint8Array in tests. */
export interface ByteSource {
  /** Display name for messages, usually the file's base name. */
  readonly name: string;
  readonly size: number;
  /** Resolves with exactly `length` bytes, or rejects; never reads past `size`. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Fills `target` with the bytes at `offset` and resolves with how many it got (fewer only at the
   * end of the source). Lets a reader that passes over a tensor in chunks reuse one buffer instead of
   * allocating (and faulting in) fresh memory for every chunk; optional.
   */
  readInto?(offset: number, target: Uint8Array): Promise<number>;
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

/** Fills `target` from `offset`, refusing ranges outside the source, through `readInto` when the source has it. */
export async function readExactInto(source: ByteSource, offset: number, target: Uint8Array, what: string): Promise<void> {
  const length = target.length;
  if (!source.readInto) {
    target.set(await readExact(source, offset, length, what));
    return;
  }
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > source.size) {
    throw new TensorFormatError(
      `${source.name} is truncated: ${what} needs bytes ${offset}..${offset + length} but the file has ${source.size}.`,
      { offset },
    );
  }
  if (length === 0) return;
  const got = await source.readInto(offset, target);
  if (got !== length) {
    throw new TensorFormatError(`${source.name} is truncated: ${what} ended after ${got} of ${length} bytes.`, { offset });
  }
}

/** A byte source over bytes already in memory. */
export function memoryByteSource(bytes: Uint8Array, name = 'memory'): ByteSource {
  return {
    name,
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, offset + length),
    readInto: async (offset, target) => {
      const part = bytes.subarray(offset, offset + target.length);
      target.set(part);
      return part.length;
    },
  };
}
