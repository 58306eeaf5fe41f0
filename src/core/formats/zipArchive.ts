import { readExact, type ByteSource } from '../byteSource';
import { TensorFormatError } from '../errors';

/**
 * A minimal zip reader after PKWARE's APPNOTE.TXT (6.3.x): the end record, ZIP64, the central
 * directory and local headers. It reads no member data; zipMember.ts does that.
 */

/** One member of a zip archive, as its central directory and local header describe it. */
export interface ZipEntry {
  /** The name as Python's zipfile decodes it: UTF-8 when flag bit 11 is set, else code page 437. */
  readonly name: string;
  /** 0 stored, 8 deflate; others are refused when read. */
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
  readonly localHeaderOffset: number;
  /** Offset of the first byte of the member's (compressed) data. */
  readonly dataOffset: number;
}

/** A zip archive's members in central-directory order. */
export interface ZipArchive {
  readonly entries: readonly ZipEntry[];
}

/** `PK\x03\x04` starts a local header (every non-empty archive); `PK\x05\x06` starts an empty archive. */
export function isZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

const endSignature = 0x06054b50;
const zip64LocatorSignature = 0x07064b50;
const zip64EndSignature = 0x06064b50;
const centralSignature = 0x02014b50;
const localSignature = 0x04034b50;
const endRecordBytes = 22;
const zip64LocatorBytes = 20;
const zip64EndBytes = 56;
const centralHeaderBytes = 46;
const localHeaderBytes = 30;
/** The end record's comment is at most 65535 bytes, so the record lies in the file's last 65557. */
const maxEndSearchBytes = endRecordBytes + 0xffff;
/**
 * Largest central directory read. Each member takes 46 bytes plus its name, so this allows
 * hundreds of thousands of tensors while a hostile size cannot make Clipwise allocate gigabytes.
 */
export const maxCentralDirectoryBytes = 64 * 1024 * 1024;
/** Flag bit 0: the member is encrypted. */
export const zipEncryptedFlag = 0x1;
/** Flag bit 11: the name is UTF-8. */
const utf8Flag = 0x800;
/** The ZIP64 extended information extra field (APPNOTE 4.5.3). */
const zip64ExtraId = 0x0001;

/** Reads the end record, the ZIP64 records when present, the central directory and every local header. */
export async function readZipArchive(source: ByteSource): Promise<ZipArchive> {
  const file = source.name;
  const { view: end, offset: endOffset } = await findEndRecord(source);
  let entryCount = end.getUint16(10, true);
  let directoryBytes = end.getUint32(12, true);
  let directoryOffset = end.getUint32(16, true);
  const diskNumber = end.getUint16(4, true);
  const directoryDisk = end.getUint16(6, true);

  const zip64 = await readZip64End(source, endOffset);
  if (zip64) {
    entryCount = zip64.entryCount;
    directoryBytes = zip64.directoryBytes;
    directoryOffset = zip64.directoryOffset;
  } else if (diskNumber !== 0 || directoryDisk !== 0) {
    throw new TensorFormatError(`${file} is one part of a multi-disk zip archive; Clipwise reads single-file archives.`, { offset: endOffset });
  }
  const directoryEnd = zip64 ? zip64.offset : endOffset;
  if (directoryBytes > maxCentralDirectoryBytes) {
    throw new TensorFormatError(`The central directory of ${file} claims ${directoryBytes} bytes; expected at most ${maxCentralDirectoryBytes}.`, { offset: endOffset });
  }
  if (directoryOffset + directoryBytes > directoryEnd) {
    throw new TensorFormatError(
      `${file} is truncated or malformed: its central directory (bytes ${directoryOffset}..${directoryOffset + directoryBytes}) runs past the end record at ${directoryEnd}.`,
      { offset: endOffset },
    );
  }
  const directory = await readExact(source, directoryOffset, directoryBytes, 'the central directory');
  const view = new DataView(directory.buffer, directory.byteOffset, directory.byteLength);
  const central: Omit<ZipEntry, 'dataOffset'>[] = [];
  let at = 0;
  while (at < directory.length) {
    if (at + centralHeaderBytes > directory.length || view.getUint32(at, true) !== centralSignature) {
      throw new TensorFormatError(`Bad central directory entry ${central.length} in ${file}: expected the signature 'PK\\x01\\x02' at offset ${directoryOffset + at}.`, {
        offset: directoryOffset + at,
      });
    }
    central.push(parseCentralEntry(view, directory, at, file, directoryOffset));
    at += centralHeaderBytes + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    if (at > directory.length) {
      throw new TensorFormatError(`Bad central directory entry ${central.length - 1} in ${file}: it runs past the directory's end.`, { offset: directoryOffset + directory.length });
    }
  }
  if (central.length !== entryCount) {
    throw new TensorFormatError(`The central directory of ${file} holds ${central.length} ${central.length === 1 ? 'entry' : 'entries'}; the end record says ${entryCount}.`, { offset: endOffset });
  }
  const entries: ZipEntry[] = [];
  for (const entry of central) entries.push({ ...entry, dataOffset: await readLocalHeader(source, entry) });
  checkNoOverlap(entries, directoryOffset, file);
  return { entries };
}

/** The end record and its offset in the file. */
interface EndRecord {
  readonly view: DataView;
  readonly offset: number;
}

async function findEndRecord(source: ByteSource): Promise<EndRecord> {
  const tailBytes = Math.min(source.size, maxEndSearchBytes);
  const tailOffset = source.size - tailBytes;
  const tail = await readExact(source, tailOffset, tailBytes, 'the end of the zip archive');
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  // The last signature whose comment length reaches exactly the end of the file; failing that, the
  // last signature whose record fits, as Python's zipfile._EndRecData takes (a comment may hold
  // the signature's bytes, so the exact fit is tried first).
  let exact = -1;
  let last = -1;
  for (let at = tail.length - endRecordBytes; at >= 0; at--) {
    if (view.getUint32(at, true) !== endSignature) continue;
    if (at + endRecordBytes + view.getUint16(at + 20, true) === tail.length) {
      exact = at;
      break;
    }
    if (last < 0) last = at;
  }
  const at = exact >= 0 ? exact : last;
  if (at >= 0) return { view: new DataView(tail.buffer, tail.byteOffset + at, endRecordBytes), offset: tailOffset + at };
  throw new TensorFormatError(`${source.name} is not a valid zip archive: its end of central directory record is missing (the file is truncated or not a zip).`, {
    offset: source.size,
  });
}

interface Zip64End {
  readonly offset: number;
  readonly entryCount: number;
  readonly directoryBytes: number;
  readonly directoryOffset: number;
}

/** The ZIP64 end record, found through the locator that sits just before the end record (APPNOTE 4.3.14-15). */
async function readZip64End(source: ByteSource, endOffset: number): Promise<Zip64End | undefined> {
  const file = source.name;
  if (endOffset < zip64LocatorBytes) return undefined;
  const locator = await readExact(source, endOffset - zip64LocatorBytes, zip64LocatorBytes, 'the ZIP64 end locator');
  const lv = new DataView(locator.buffer, locator.byteOffset, locator.byteLength);
  if (lv.getUint32(0, true) !== zip64LocatorSignature) return undefined;
  const locatorOffset = endOffset - zip64LocatorBytes;
  if (lv.getUint32(4, true) !== 0 || lv.getUint32(16, true) > 1) {
    throw new TensorFormatError(`${file} is one part of a multi-disk zip archive; Clipwise reads single-file archives.`, { offset: locatorOffset });
  }
  const offset = readUint64(lv, 8, file, 'the ZIP64 end record offset', locatorOffset);
  if (offset + zip64EndBytes > locatorOffset) {
    throw new TensorFormatError(`Bad ZIP64 end locator in ${file}: it points at offset ${offset}, past the locator at ${locatorOffset}.`, { offset: locatorOffset });
  }
  const record = await readExact(source, offset, zip64EndBytes, 'the ZIP64 end record');
  const rv = new DataView(record.buffer, record.byteOffset, record.byteLength);
  if (rv.getUint32(0, true) !== zip64EndSignature) {
    throw new TensorFormatError(`Bad ZIP64 end record in ${file}: expected the signature 'PK\\x06\\x06' at offset ${offset}.`, { offset });
  }
  if (rv.getUint32(16, true) !== 0 || rv.getUint32(20, true) !== 0) {
    throw new TensorFormatError(`${file} is one part of a multi-disk zip archive; Clipwise reads single-file archives.`, { offset });
  }
  return {
    offset,
    entryCount: readUint64(rv, 32, file, 'the entry count', offset),
    directoryBytes: readUint64(rv, 40, file, 'the central directory size', offset),
    directoryOffset: readUint64(rv, 48, file, 'the central directory offset', offset),
  };
}

function readUint64(view: DataView, at: number, file: string, what: string, offset: number): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new TensorFormatError(`Bad zip record in ${file}: ${what} is ${value}, more than any file can hold.`, { offset });
  }
  return Number(value);
}

function parseCentralEntry(view: DataView, bytes: Uint8Array, at: number, file: string, directoryOffset: number): Omit<ZipEntry, 'dataOffset'> {
  const flags = view.getUint16(at + 8, true);
  const method = view.getUint16(at + 10, true);
  const crc32 = view.getUint32(at + 16, true);
  let compressedBytes = view.getUint32(at + 20, true);
  let uncompressedBytes = view.getUint32(at + 24, true);
  const nameBytes = view.getUint16(at + 28, true);
  const extraBytes = view.getUint16(at + 30, true);
  const disk = view.getUint16(at + 34, true);
  let localHeaderOffset = view.getUint32(at + 42, true);
  const nameStart = at + centralHeaderBytes;
  if (nameStart + nameBytes + extraBytes > bytes.length) {
    throw new TensorFormatError(`Bad central directory entry in ${file}: its name runs past the directory's end.`, { offset: directoryOffset + at });
  }
  const name = decodeName(bytes.subarray(nameStart, nameStart + nameBytes), (flags & utf8Flag) !== 0);
  // ZIP64 extra: the 8-byte values present are those whose 32-bit field is 0xFFFFFFFF, in this order.
  const needsUncompressed = uncompressedBytes === 0xffffffff;
  const needsCompressed = compressedBytes === 0xffffffff;
  const needsOffset = localHeaderOffset === 0xffffffff;
  if (needsUncompressed || needsCompressed || needsOffset) {
    const extra = findExtra(view, nameStart + nameBytes, extraBytes, zip64ExtraId);
    const needed = 8 * (Number(needsUncompressed) + Number(needsCompressed) + Number(needsOffset));
    if (!extra || extra.length < needed) {
      throw new TensorFormatError(`Bad central directory entry for '${name}' in ${file}: its sizes call for a ZIP64 extra field that is missing or short.`, {
        offset: directoryOffset + at,
        entry: name,
      });
    }
    let p = extra.start;
    const next = (what: string) => {
      const v = readUint64(view, p, file, `the ${what} of '${name}'`, directoryOffset + at);
      p += 8;
      return v;
    };
    if (needsUncompressed) uncompressedBytes = next('uncompressed size');
    if (needsCompressed) compressedBytes = next('compressed size');
    if (needsOffset) localHeaderOffset = next('local header offset');
  }
  if (disk !== 0 && disk !== 0xffff) {
    throw new TensorFormatError(`${file} is one part of a multi-disk zip archive; Clipwise reads single-file archives.`, { offset: directoryOffset + at });
  }
  return { name, method, flags, crc32, compressedBytes, uncompressedBytes, localHeaderOffset };
}

function findExtra(view: DataView, start: number, length: number, id: number): { start: number; length: number } | undefined {
  let p = start;
  const end = start + length;
  while (p + 4 <= end) {
    const fieldId = view.getUint16(p, true);
    const fieldBytes = view.getUint16(p + 2, true);
    if (fieldId === id) return { start: p + 4, length: Math.min(fieldBytes, end - p - 4) };
    p += 4 + fieldBytes;
  }
  return undefined;
}

/** Checks the member's local header against its directory entry and returns where its data starts. */
async function readLocalHeader(source: ByteSource, entry: Omit<ZipEntry, 'dataOffset'>): Promise<number> {
  const file = source.name;
  const at = entry.localHeaderOffset;
  if (at + localHeaderBytes > source.size) {
    throw new TensorFormatError(`${file} is truncated: member '${entry.name}' starts at offset ${at} but the file has ${source.size} bytes.`, {
      offset: at,
      entry: entry.name,
    });
  }
  const head = await readExact(source, at, localHeaderBytes, `the local header of '${entry.name}'`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (view.getUint32(0, true) !== localSignature) {
    throw new TensorFormatError(`Bad local header for member '${entry.name}' in ${file}: expected the signature 'PK\\x03\\x04' at offset ${at}.`, {
      offset: at,
      entry: entry.name,
    });
  }
  const nameBytes = view.getUint16(26, true);
  const extraBytes = view.getUint16(28, true);
  const rawName = await readExact(source, at + localHeaderBytes, nameBytes, `the local header of '${entry.name}'`);
  const localName = decodeName(rawName, (view.getUint16(6, true) & utf8Flag) !== 0);
  if (localName !== entry.name) {
    // Python's zipfile refuses this too ("File name in directory ... and header ... differ").
    throw new TensorFormatError(`Member names differ in ${file}: the central directory says '${entry.name}', the local header at offset ${at} says '${localName}'.`, {
      offset: at,
      entry: entry.name,
    });
  }
  return at + localHeaderBytes + nameBytes + extraBytes;
}

/**
 * Members must not share bytes with each other or with the central directory: overlapping
 * members are how non-recursive zip bombs multiply one compressed stream (Python's zipfile
 * refuses them as "Overlapped entries" since 3.12).
 */
function checkNoOverlap(entries: readonly ZipEntry[], directoryOffset: number, file: string): void {
  const spans = entries
    .map((e) => ({ name: e.name, start: e.localHeaderOffset, end: e.dataOffset + e.compressedBytes }))
    .sort((a, b) => a.start - b.start);
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i];
    const next = spans[i + 1];
    if (next && s.end > next.start) {
      throw new TensorFormatError(
        `Members '${s.name}' and '${next.name}' of ${file} overlap (bytes ${s.start}..${s.end} and ${next.start}..${next.end}); the archive is malformed or a zip bomb.`,
        { offset: next.start, entry: next.name },
      );
    }
    if (s.end > directoryOffset) {
      throw new TensorFormatError(`Member '${s.name}' of ${file} runs into the central directory (bytes ${s.start}..${s.end}, directory at ${directoryOffset}); the archive is truncated or malformed.`, {
        offset: s.start,
        entry: s.name,
      });
    }
  }
}

/** Code page 437's upper half, which Python's zipfile uses for names without the UTF-8 flag. */
const cp437High =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

function decodeName(bytes: Uint8Array, isUtf8: boolean): string {
  if (isUtf8) return new TextDecoder('utf-8').decode(bytes);
  let out = '';
  for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : cp437High[b - 0x80];
  return out;
}
