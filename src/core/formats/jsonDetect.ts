import { isDType } from '../dtype';

/** Characters of whitespace, and of '[' runs, looked through before giving up on a text. */
const maxLookaheadChars = 4096;

/**
 * True when a JSON text looks like a tensor file, judged from its start only (so it is cheap on any
 * size): after an optional byte-order mark and whitespace, the text is
 * - an array whose first leaf is a number (`[1`, `[[-0.5`, `[NaN`), or
 * - an object whose first key is "data" (with an array of numbers or booleans, or a number), "shape" (with an array) or
 *   "dtype" (with one of Clipwise's dtype names), or
 * - an object whose first value is such an array or such an object.
 * So `package.json` and `tsconfig.json` (a string or an object first, or a comment) are not tensor
 * files; a text that passes may still fail to parse, with a message that says why.
 */
export function looksLikeJsonTensorText(text: string): boolean {
  let pos = skipBlank(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  const c = text[pos];
  if (c === '[') return isNumericArrayStart(text, pos);
  if (c !== '{') return false;
  const first = readFirstEntry(text, pos);
  if (first === undefined) return false;
  if (isTensorObjectEntry(text, first.key, first.valueAt)) return true;
  pos = first.valueAt;
  if (text[pos] === '[') return isNumericArrayStart(text, pos);
  if (text[pos] !== '{') return false;
  const inner = readFirstEntry(text, pos);
  return inner !== undefined && isTensorObjectEntry(text, inner.key, inner.valueAt);
}

/** The first key of the object at `pos` and where its value starts; undefined when there is none. */
function readFirstEntry(text: string, pos: number): { key: string; valueAt: number } | undefined {
  pos = skipBlank(text, pos + 1);
  if (text[pos] !== '"') return undefined;
  const end = text.indexOf('"', pos + 1);
  if (end < 0 || end - pos > maxLookaheadChars) return undefined;
  const key = text.slice(pos + 1, end);
  pos = skipBlank(text, end + 1);
  if (text[pos] !== ':') return undefined;
  return { key, valueAt: skipBlank(text, pos + 1) };
}

/** Whether `"key": value` at `valueAt` is the first entry of a `{"shape", "dtype", "data"}` object. */
function isTensorObjectEntry(text: string, key: string, valueAt: number): boolean {
  const c = text[valueAt];
  if (key === 'data') return c === '[' ? isNumericArrayStart(text, valueAt, true) : isNumberStart(c);
  if (key === 'shape') return c === '[';
  if (key === 'dtype' && c === '"') {
    const end = text.indexOf('"', valueAt + 1);
    return end > 0 && end - valueAt < 64 && isDType(text.slice(valueAt + 1, end));
  }
  return false;
}

/** Whether the array at `pos` opens (through any '[' nesting) on a number, or on true/false when `isBooleanAllowed`. */
function isNumericArrayStart(text: string, pos: number, isBooleanAllowed = false): boolean {
  const limit = Math.min(text.length, pos + maxLookaheadChars);
  while (pos < limit) {
    const c = text[pos];
    if (c === '[' || c === ' ' || c === '\n' || c === '\r' || c === '\t') pos++;
    else return isNumberStart(c) || (isBooleanAllowed && (text.startsWith('true', pos) || text.startsWith('false', pos)));
  }
  return false;
}

function isNumberStart(c: string | undefined): boolean {
  return c !== undefined && ((c >= '0' && c <= '9') || c === '-' || c === 'N' || c === 'I');
}

function skipBlank(text: string, pos: number): number {
  const limit = Math.min(text.length, pos + maxLookaheadChars);
  while (pos < limit && (text[pos] === ' ' || text[pos] === '\n' || text[pos] === '\r' || text[pos] === '\t')) pos++;
  return pos;
}
