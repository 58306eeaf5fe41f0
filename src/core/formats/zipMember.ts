import type { Inflate } from 'fflate';
import { readExact, type ByteSource } from '../byteSource';
import { TensorFormatError } from '../errors';
import { zipEncryptedFlag, type ZipEntry } from './zipArchive';
import { updateCrc32 } from './zipCrc32';

/**
 * fflate, loaded at the first inflation: its start-up (tables, and worker_threads) would otherwise cost
 * every CLI run, most of which inflate nothing.
 */
let inflateClass: Promise<typeof Inflate> | undefined;
const loadInflate = (): Promise<typeof Inflate> => (inflateClass ??= import('fflate').then((m) => m.Inflate));

/** Compression methods read (APPNOTE 4.4.5), and names for the ones refused. */
const storedMethod = 0;
const deflateMethod = 8;
const methodNames: Readonly<Record<number, string>> = { 9: 'deflate64', 12: 'bzip2', 14: 'LZMA', 93: 'zstd', 95: 'xz', 99: 'AES encryption' };

/**
 * Compressed bytes handed to the inflater at once: what the read still needs, within these bounds.
 * Deflate expands at most about 1032:1, so a push never produces more than ~1 MB for a small read
 * (a header) or ~33 MB for a large one, however the stream was crafted.
 */
const minPushBytes = 1024;
const maxPushBytes = 32 * 1024;

/**
 * A member's uncompressed bytes as a byte source, read lazily from the archive: a stored member is
 * a byte range of the archive; a deflated one is inflated as it is read, never past the size its
 * directory entry declares. Either way the CRC-32 is checked once every byte has been read.
 */
export function openZipMember(archive: ByteSource, entry: ZipEntry): ZipMemberSource {
  const where = `Member '${entry.name}' of ${archive.name}`;
  if (entry.flags & zipEncryptedFlag) {
    throw new TensorFormatError(`${where} is encrypted; Clipwise reads unencrypted archives, as numpy.savez writes.`, { entry: entry.name });
  }
  if (entry.method === storedMethod) {
    if (entry.compressedBytes !== entry.uncompressedBytes) {
      throw new TensorFormatError(`${where} is stored but declares ${entry.compressedBytes} compressed and ${entry.uncompressedBytes} uncompressed bytes; they must be equal.`, {
        entry: entry.name,
        offset: entry.localHeaderOffset,
      });
    }
    return storedMember(archive, entry);
  }
  if (entry.method === deflateMethod) return new InflatingMember(archive, entry);
  const method = methodNames[entry.method] ? `${entry.method} (${methodNames[entry.method]})` : String(entry.method);
  throw new TensorFormatError(`${where} uses compression method ${method}; expected stored (0) or deflate (8), as numpy.savez and numpy.savez_compressed write.`, {
    entry: entry.name,
    offset: entry.localHeaderOffset,
  });
}

/** A member's bytes; `release` frees what a deflated member keeps between reads (nothing for a stored one). */
export interface ZipMemberSource extends ByteSource {
  release(): void;
}

/** The name a member's byte source carries in messages: 'weights.npz/fc1.npy'. */
export function zipMemberName(archive: ByteSource, entry: ZipEntry): string {
  return `${archive.name}/${entry.name}`;
}

function crcError(archive: ByteSource, entry: ZipEntry, actual: number): TensorFormatError {
  const hex = (x: number) => `0x${x.toString(16).padStart(8, '0')}`;
  return new TensorFormatError(
    `Bad CRC-32 for member '${entry.name}' of ${archive.name}: its data gives ${hex(actual)}, the archive says ${hex(entry.crc32)}; the archive is corrupt.`,
    { entry: entry.name, offset: entry.dataOffset },
  );
}

/** A stored member: reads go straight to the archive; the CRC runs over the bytes as they first pass. */
function storedMember(archive: ByteSource, entry: ZipEntry): ZipMemberSource {
  let checkedBytes = 0;
  let crc = 0;
  let failure: TensorFormatError | undefined;
  return {
    name: zipMemberName(archive, entry),
    size: entry.uncompressedBytes,
    release: () => undefined,
    async read(offset, length) {
      if (failure) throw failure;
      const bytes = await readExact(archive, entry.dataOffset + offset, length, `the data of member '${entry.name}'`);
      if (checkedBytes < entry.uncompressedBytes && offset <= checkedBytes && offset + length > checkedBytes) {
        crc = updateCrc32(crc, bytes.subarray(checkedBytes - offset));
        checkedBytes = offset + length;
        if (checkedBytes === entry.uncompressedBytes && crc !== entry.crc32) throw (failure = crcError(archive, entry, crc));
      }
      return bytes;
    },
  };
}

/**
 * A deflated member inflated front to back as reads ask for it. Output before the current read
 * is dropped, so memory stays near one read's size; a read before what was kept starts over.
 */
class InflatingMember implements ZipMemberSource {
  readonly name: string;
  readonly size: number;
  private inflater: Inflate | undefined;
  private compressedOffset = 0;
  private producedBytes = 0;
  /** Inflated bytes not yet dropped, contiguous, the first at `keptFrom`. */
  private kept: Uint8Array[] = [];
  private keptFrom = 0;
  private crc = 0;
  private failure: TensorFormatError | undefined;
  /** Reads run one after another: the inflater's position is shared state. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly archive: ByteSource,
    private readonly entry: ZipEntry,
  ) {
    this.name = zipMemberName(archive, entry);
    this.size = entry.uncompressedBytes;
    this.restart();
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    const result = this.queue.then(() => this.readInOrder(offset, length));
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async readInOrder(offset: number, length: number): Promise<Uint8Array> {
    if (this.failure) throw this.failure;
    const end = offset + length;
    if (!(end <= this.size)) throw new RangeError(`${this.name}: read of ${offset}..${end} past ${this.size}.`);
    if (offset < this.keptFrom) this.restart();
    this.dropBefore(offset);
    while (this.producedBytes < end) await this.pushMore(end - this.producedBytes);
    return this.copyOut(offset, length);
  }

  /** Drops the inflater and what it produced; the next read starts over. Memory held between reads is then nil. */
  release(): void {
    this.restart();
  }

  private restart(): void {
    this.inflater = undefined;
    this.compressedOffset = 0;
    this.producedBytes = 0;
    this.kept = [];
    this.keptFrom = 0;
    this.crc = 0;
  }

  private take(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (chunk.length > this.size - this.producedBytes) {
      throw (this.failure = new TensorFormatError(
        `Member '${this.entry.name}' of ${this.archive.name} inflates past the ${this.size} bytes its directory entry declares; inflating stopped there (the archive is corrupt or a zip bomb).`,
        { entry: this.entry.name, offset: this.entry.dataOffset },
      ));
    }
    this.kept.push(chunk);
    this.producedBytes += chunk.length;
    this.crc = updateCrc32(this.crc, chunk);
    if (this.producedBytes === this.size && this.crc !== this.entry.crc32) throw (this.failure = crcError(this.archive, this.entry, this.crc));
  }

  private async pushMore(neededBytes: number): Promise<void> {
    const { entry, archive } = this;
    const InflateStream = await loadInflate();
    const remaining = entry.compressedBytes - this.compressedOffset;
    if (remaining <= 0) {
      throw (this.failure = new TensorFormatError(
        `Member '${entry.name}' of ${archive.name} inflates to only ${this.producedBytes} bytes; its directory entry declares ${this.size}.`,
        { entry: entry.name, offset: entry.dataOffset },
      ));
    }
    const pushBytes = Math.min(remaining, maxPushBytes, Math.max(minPushBytes, neededBytes));
    const compressed = await readExact(archive, entry.dataOffset + this.compressedOffset, pushBytes, `the compressed data of member '${entry.name}'`);
    this.compressedOffset += pushBytes;
    this.inflater ??= new InflateStream((chunk) => this.take(chunk));
    try {
      this.inflater.push(compressed, this.compressedOffset === entry.compressedBytes);
    } catch (err) {
      if (err instanceof TensorFormatError) throw err;
      throw (this.failure = new TensorFormatError(
        `Member '${entry.name}' of ${archive.name} holds a corrupt deflate stream (${(err as Error).message}).`,
        { entry: entry.name, offset: entry.dataOffset },
      ));
    }
  }

  private dropBefore(offset: number): void {
    while (this.kept.length > 0 && this.keptFrom + this.kept[0].length <= offset) {
      this.keptFrom += this.kept[0].length;
      this.kept.shift();
    }
  }

  private copyOut(offset: number, length: number): Uint8Array {
    const first = this.kept[0];
    const start = offset - this.keptFrom;
    if (first && start + length <= first.length) return first.subarray(start, start + length);
    const out = new Uint8Array(length);
    let filled = 0;
    let chunkStart = this.keptFrom;
    for (const chunk of this.kept) {
      if (filled === length) break;
      const from = Math.max(0, offset + filled - chunkStart);
      if (from < chunk.length) {
        const piece = chunk.subarray(from, Math.min(chunk.length, from + length - filled));
        out.set(piece, filled);
        filled += piece.length;
      }
      chunkStart += chunk.length;
    }
    return out;
  }
}
