import { readExact, type ByteSource } from '../byteSource';
import { TensorFormatError } from '../errors';
import { openJsonTensors } from './jsonTensorFile';
import { isNpy, openNpy } from './npy';
import { isNpz, openNpz } from './npz';
import { isSafetensors, openSafetensors } from './safetensors';
import { defaultMaxTensorBytes, type ReadLimits, type TensorFile, type TensorFormatName } from './tensorFile';

/** One format Clipwise reads: recognised by its first bytes, else by its file extension. */
interface FormatEntry {
  readonly name: TensorFormatName;
  readonly extensions: readonly string[];
  /** True when the file's first bytes say it is this format. */
  readonly matches: (head: Uint8Array) => boolean;
  readonly open: (source: ByteSource, limits: ReadLimits) => Promise<TensorFile>;
}

/** Bytes read to recognise a format by content. */
const headBytes = 16;

function startsLikeJson(head: Uint8Array): boolean {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  return head[i] === 0x5b || head[i] === 0x7b; // '[' or '{'
}

/** Every format, most specific content test first. */
const formats: readonly FormatEntry[] = [
  { name: 'npy', extensions: ['.npy'], matches: isNpy, open: openNpy },
  { name: 'npz', extensions: ['.npz'], matches: isNpz, open: openNpz },
  // Before JSON: a header length whose low bytes read as '{' or whitespace would look like JSON.
  { name: 'safetensors', extensions: ['.safetensors'], matches: isSafetensors, open: openSafetensors },
  { name: 'json', extensions: ['.json'], matches: startsLikeJson, open: openJsonTensors },
];

/** File extensions of every format Clipwise reads, for menus and file pickers. */
export const tensorFileExtensions: readonly string[] = formats.flatMap((f) => f.extensions);

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

/**
 * Opens a tensor file of any supported format, recognised by content (magic bytes) before
 * extension, as netron does: a misnamed .npy still opens, and an unrelated file gets a clear error.
 */
export async function openTensorFile(source: ByteSource, limits: ReadLimits = { maxTensorBytes: defaultMaxTensorBytes }): Promise<TensorFile> {
  const head = await readExact(source, 0, Math.min(headBytes, source.size), 'the file signature');
  const byContent = formats.find((f) => f.matches(head));
  const byExtension = formats.find((f) => f.extensions.includes(extensionOf(source.name)));
  // A file named for a format but not matching any is handed to that format's reader, whose
  // message says what it expected (e.g. the .npy magic).
  const format = byContent ?? byExtension;
  if (!format && source.size === 0) throw new TensorFormatError(`${source.name} is empty; expected a tensor file (${tensorFileExtensions.join(', ')}).`, { offset: 0 });
  if (!format) {
    throw new TensorFormatError(`${source.name} is not a tensor file Clipwise reads; expected ${tensorFileExtensions.join(', ')}.`, { offset: 0 });
  }
  return format.open(source, limits);
}
