import { readExact, type ByteSource } from '../byteSource';
import { TensorFormatError, UsageError } from '../errors';
import type { Tensor, TensorInfo } from '../tensor';
import { isNpy, openNpy } from './npy';
import { readNpyHeader, type NpyHeader } from './npyHeader';
import { quoteBytes } from './quoteBytes';
import { checkTensorFits, deferredChunks, formatByteSize, raiseLimitHint, streamElements, streamFloat32 } from './tensorChunks';
import { defaultMaxTensorBytes, type Float32Chunks, type ReadLimits, type TensorChunks, type TensorFile, type WorkControl } from './tensorFile';
import { readZipArchive, type ZipEntry } from './zipArchive';
import { openZipMember, type ZipMemberSource } from './zipMember';

export { isZip as isNpz } from './zipArchive';

/** One array of an archive: its zip entry, its uncompressed bytes and its .npy header. */
interface NpzMember {
  readonly entry: ZipEntry;
  readonly source: ZipMemberSource;
  readonly header: NpyHeader;
  readonly info: TensorInfo;
}

/**
 * The tensor name numpy.load gives a member: its name without '.npy' (NpzFile strips the suffix
 * and keeps other names as they are).
 */
export function npzTensorName(memberName: string): string {
  return memberName.endsWith('.npy') ? memberName.slice(0, -4) : memberName;
}

/**
 * Opens an .npz archive (numpy.savez stored, numpy.savez_compressed deflated, ZIP64 or not): the
 * listing reads the central directory and each member's .npy header; data is read on demand, a
 * stored member straight from its byte range, a deflated one inflated as it is read. A member whose
 * values are all float32 also streams as float32 bits (readFloat32Chunks), as an .npy does: a search
 * then keeps it in radix buckets rather than reading it whole into float64.
 */
export async function openNpz(source: ByteSource, limits: ReadLimits = { maxTensorBytes: defaultMaxTensorBytes }): Promise<TensorFile> {
  const archive = await readZipArchive(source);
  const members = new Map<string, NpzMember>();
  for (const entry of archive.entries) {
    if (entry.name.endsWith('/') && entry.uncompressedBytes === 0) continue; // a folder entry
    const name = npzTensorName(entry.name);
    const previous = members.get(name);
    if (previous) {
      throw new TensorFormatError(`${source.name} holds two members named '${name}' ('${previous.entry.name}' and '${entry.name}'); tensor names must be unique.`, {
        entry: entry.name,
      });
    }
    const member = openZipMember(source, entry);
    const magic = await readExact(member, 0, Math.min(6, member.size), 'the .npy magic');
    if (!isNpy(magic)) {
      throw new TensorFormatError(
        `Member '${entry.name}' of ${source.name} is not an .npy array (it starts with ${quoteBytes(magic)}); an .npz holds .npy members, as numpy.savez writes.`,
        { entry: entry.name, offset: entry.dataOffset },
      );
    }
    const header = await readNpyHeader(member);
    member.release(); // an archive of many members must not keep each one's first inflated block
    const info: TensorInfo = { name, dtype: header.dtype, shape: header.shape, count: header.count, byteSize: header.dataBytes };
    members.set(name, { entry, source: member, header, info });
  }
  if (members.size === 0) throw new TensorFormatError(`${source.name} holds no arrays; expected .npy members, as numpy.savez writes.`, { offset: 0 });

  const memberNamed = (name: string): NpzMember => {
    const member = members.get(name);
    if (!member) throw new UsageError(`No tensor '${name}' in ${source.name}; it holds ${[...members.keys()].map((n) => `'${n}'`).join(', ')}.`);
    return member;
  };
  return {
    format: 'npz',
    tensors: [...members.values()].map((m) => m.info),
    read: async (name: string, control?: WorkControl): Promise<Tensor> => {
      const member = memberNamed(name);
      checkInflatedFits(member, source, limits);
      checkTensorFits(name, source.name, member.info.count, limits);
      try {
        const file = await openNpy(member.source, limits, name);
        return await file.read(name, control);
      } finally {
        member.source.release();
      }
    },
    readChunks: (name: string, control?: WorkControl): TensorChunks =>
      deferredChunks(() => {
        const member = memberNamed(name);
        checkInflatedFits(member, source, limits);
        const { header } = member;
        if (header.isFortranOrder && header.shape.length > 1) return wholeAsChunks(() => openNpy(member.source, limits, name).then((f) => f.read(name, control)));
        const range = { source: member.source, name, dtype: header.dtype, isLittleEndian: header.isLittleEndian, dataOffset: header.dataOffset, count: header.count };
        return releasingAfter(streamElements(range, control), member.source);
      }),
    readFloat32Chunks: (name: string, control?: WorkControl): Float32Chunks | undefined => {
      const member = memberNamed(name);
      const { header } = member;
      // Fortran order would need the whole tensor to put elements in C order.
      if (header.isFortranOrder && header.shape.filter((d) => d > 1).length > 1) return undefined;
      checkInflatedFits(member, source, limits);
      checkTensorFits(name, source.name, member.info.count, limits);
      const range = { source: member.source, name, dtype: header.dtype, isLittleEndian: header.isLittleEndian, dataOffset: header.dataOffset, count: header.count };
      const chunks = streamFloat32(range, control);
      return chunks && releasingAfter(chunks, member.source);
    },
  };
}

/** Declared sizes are checked before anything is inflated: a deflated member above the limit is refused. */
function checkInflatedFits(member: NpzMember, archive: ByteSource, limits: ReadLimits): void {
  const { entry } = member;
  if (entry.method !== 0 && entry.uncompressedBytes > limits.maxTensorBytes) {
    throw new TensorFormatError(
      `Member '${entry.name}' of ${archive.name} inflates to ${formatByteSize(entry.uncompressedBytes)}, above the limit of ${formatByteSize(limits.maxTensorBytes)}; ${raiseLimitHint}.`,
      { entry: entry.name },
    );
  }
}

/** Chunks that free the member's inflater state when a pass ends, however it ends. */
function releasingAfter<T>(chunks: Passes<T>, member: ZipMemberSource): Passes<T> {
  return {
    get warnings() {
      return chunks.warnings;
    },
    async *[Symbol.asyncIterator]() {
      try {
        yield* chunks;
      } finally {
        member.release();
      }
    },
  };
}

/** Passes over a tensor's elements: TensorChunks, or Float32Chunks. */
type Passes<T> = AsyncIterable<T> & { readonly warnings: readonly string[] };

/** A Fortran-order array cannot be streamed in C order: its one pass is the whole tensor. */
function wholeAsChunks(read: () => Promise<Tensor>): TensorChunks {
  const warnings: string[] = [];
  return {
    warnings,
    async *[Symbol.asyncIterator]() {
      const tensor = await read();
      warnings.length = 0;
      warnings.push(...tensor.warnings);
      yield { start: 0, values: tensor.values };
    },
  };
}
