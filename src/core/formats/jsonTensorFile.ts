import { readExact, type ByteSource } from '../byteSource';
import { CancelledError, TensorFormatError, UsageError } from '../errors';
import type { Tensor } from '../tensor';
import { positionAt } from './jsonPosition';
import { parseJsonTensorText, type JsonTensor } from './jsonTensors';
import { defaultMaxTensorBytes, type ReadLimits, type TensorFile, type WorkControl } from './tensorFile';

/**
 * 500 MiB: the largest JSON file read, since the whole text is held in memory while it is parsed.
 * It stays below V8's longest string (2^29 - 24 characters), past which decoding would fail.
 */
export const maxJsonFileBytes = 500 * 1024 ** 2;

/**
 * Opens a JSON tensor file (see parseJsonTensorText for the forms accepted). The whole file is read
 * and parsed at once, without element spans; UTF-8 with or without a byte-order mark. Every read of
 * a tensor returns the same values array, which callers must not modify.
 */
export async function openJsonTensors(
  source: ByteSource,
  limits: ReadLimits = { maxTensorBytes: defaultMaxTensorBytes },
): Promise<TensorFile> {
  if (source.size > maxJsonFileBytes) {
    const sizeMiB = (source.size / 1024 ** 2).toFixed(1);
    throw new TensorFormatError(
      `${source.name} is too large to read as JSON: ${sizeMiB} MiB; expected at most ${maxJsonFileBytes / 1024 ** 2} MiB.`,
      { offset: 0 },
    );
  }
  const bytes = await readExact(source, 0, source.size, 'the JSON text');
  const text = decodeUtf8(bytes, source.name);
  const parsed = parseJsonTensorText(text, source.name, { elementSpans: false, maxTensorBytes: limits.maxTensorBytes });
  const byName = new Map<string, JsonTensor>(parsed.tensors.map((t) => [t.info.name, t]));
  return {
    format: 'json',
    tensors: parsed.tensors.map((t) => t.info),
    read: async (name: string, control?: WorkControl): Promise<Tensor> => {
      if (control?.signal?.aborted) throw new CancelledError();
      const tensor = byName.get(name);
      if (tensor === undefined) throw new UsageError(`No tensor '${name}' in ${source.name}.`);
      control?.onProgress?.(1);
      return { ...tensor.info, values: tensor.values, warnings: tensor.warnings };
    },
  };
}

/** Decodes UTF-8 (dropping a byte-order mark); invalid bytes are refused with their line and column. */
function decodeUtf8(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
    const { line, column } = positionAt(before, before.length);
    const byte = `0x${(bytes[bad] ?? 0).toString(16).toUpperCase().padStart(2, '0')}`;
    throw new TensorFormatError(`${name} is not valid UTF-8 text: byte ${byte} at line ${line}, column ${column}.`, {
      offset: before.length,
      line,
      column,
    });
  }
}

/** Index of the first byte that starts an invalid UTF-8 sequence (RFC 3629: no overlongs, surrogates or values past U+10FFFF). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + need >= bytes.length) return i;
    if (bytes[i + 1] < lo || bytes[i + 1] > hi) return i;
    for (let k = 2; k <= need; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
    i += need + 1;
  }
  return bytes.length;
}
