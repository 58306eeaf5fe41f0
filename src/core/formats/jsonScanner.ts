import { excerpt, jsonErrorAt, type TextSpan } from './jsonPosition';

/** A JSON value with its source span; arrays keep their numbers in the scan's shared buffers. */
export type JsonNode = JsonObjectNode | JsonArrayNode | JsonStringNode | JsonNumberNode | JsonLiteralNode;

/** `{ ... }` with its entries in source order (duplicates kept: the reader decides what they mean). */
export interface JsonObjectNode extends TextSpan {
  readonly kind: 'object';
  readonly entries: readonly JsonEntry[];
}

/** One `"key": value` of an object. */
export interface JsonEntry {
  readonly key: string;
  readonly keySpan: TextSpan;
  readonly value: JsonNode;
}

/**
 * An array, nested or not. Its numbers (true/false as 1/0) are the scan's elements
 * `first .. first + count - 1`, in C order; `shape` is the nesting, valid when there is no `problem`.
 */
export interface JsonArrayNode extends TextSpan {
  readonly kind: 'array';
  readonly first: number;
  readonly count: number;
  readonly shape: readonly number[];
  /** The first thing that keeps the array from being a tensor: a ragged row or a non-numeric entry. */
  readonly problem?: JsonArrayProblem;
  /** The first `true` or `false` among the elements, if any. */
  readonly firstBoolean?: TextSpan;
}

/** Why an array is not a rectangular array of numbers, and where. */
export interface JsonArrayProblem extends TextSpan {
  readonly kind: 'ragged' | 'nonNumeric';
  /** For 'ragged': what is wrong, e.g. "row [2] has 2 elements; expected 3". For 'nonNumeric': the entry as written. */
  readonly detail: string;
}

/** A string value, decoded. */
export interface JsonStringNode extends TextSpan {
  readonly kind: 'string';
  readonly value: string;
}

/** A number, including the non-standard NaN, Infinity and -Infinity. */
export interface JsonNumberNode extends TextSpan {
  readonly kind: 'number';
  readonly value: number;
}

/** true, false or null. */
export interface JsonLiteralNode extends TextSpan {
  readonly kind: 'literal';
  readonly value: boolean | null;
}

/** The parsed text: the value tree and the elements of every array, in source order. */
export interface JsonScan {
  readonly root: JsonNode;
  readonly elements: JsonElements;
}

/** How to scan. */
export interface JsonScanOptions {
  /** Record the source span of every array element (default true); off saves 8 bytes per element. */
  readonly elementSpans?: boolean;
  /** Most elements one outermost array may hold; a larger one is refused while it is read. */
  readonly maxArrayElements?: number;
}

/** Deepest nesting of arrays and objects accepted; deeper text is refused rather than overflowing the stack. */
export const maxJsonNestingDepth = 512;

/** Most elements per storage chunk (512 KiB of float64): growing adds a chunk and never copies. */
const maxChunkElements = 1 << 16;

/** The elements of every array of a text, numbered in source order, stored in fixed-size chunks. */
export class JsonElements {
  private readonly valueChunks: Float64Array[] = [];
  private readonly spanChunks: Uint32Array[] = [];
  /** How many elements are stored. */
  count = 0;
  /** Elements per chunk: small texts, which cannot hold many numbers, get one small chunk. */
  readonly chunkElements: number;

  constructor(readonly hasSpans: boolean, textLength: number) {
    // n elements take at least 2n - 1 characters (digits and commas) plus the brackets.
    this.chunkElements = Math.min(maxChunkElements, Math.ceil(textLength / 2) + 1);
    this.addChunk();
  }

  /** Appends an empty chunk; the scanner fills it directly. */
  addChunk(): void {
    this.valueChunks.push(new Float64Array(this.chunkElements));
    if (this.hasSpans) this.spanChunks.push(new Uint32Array(2 * this.chunkElements));
  }

  /** The last chunk of values. */
  lastValueChunk(): Float64Array {
    return this.valueChunks[this.valueChunks.length - 1];
  }

  /** The last chunk of spans; empty when spans are not kept. */
  lastSpanChunk(): Uint32Array {
    return this.hasSpans ? this.spanChunks[this.spanChunks.length - 1] : emptySpans;
  }

  /** Number of the first element of the last chunk. */
  lastChunkBase(): number {
    return (this.valueChunks.length - 1) * this.chunkElements;
  }

  /** A copy of elements `first .. first + count - 1`, exactly that long. */
  copyValues(first: number, count: number): Float64Array {
    const out = new Float64Array(count);
    for (let done = 0; done < count; ) {
      const i = first + done;
      const k = i % this.chunkElements;
      const take = Math.min(count - done, this.chunkElements - k);
      out.set(this.valueChunks[(i - k) / this.chunkElements].subarray(k, k + take), done);
      done += take;
    }
    return out;
  }

  /** The spans of elements `first .. first + count - 1` as start/end pairs; empty when spans are not kept. */
  copySpans(first: number, count: number): Uint32Array {
    if (!this.hasSpans) return new Uint32Array(0);
    const out = new Uint32Array(2 * count);
    for (let done = 0; done < count; ) {
      const i = first + done;
      const k = i % this.chunkElements;
      const take = Math.min(count - done, this.chunkElements - k);
      out.set(this.spanChunks[(i - k) / this.chunkElements].subarray(2 * k, 2 * (k + take)), 2 * done);
      done += take;
    }
    return out;
  }

  /** Element i's value. */
  valueAt(i: number): number {
    return this.valueChunks[Math.floor(i / this.chunkElements)][i % this.chunkElements];
  }
}

const emptySpans = new Uint32Array(0);

// Character codes.
const tab = 9, lineFeed = 10, carriageReturn = 13, space = 32, quote = 34, plus = 43, comma = 44, minus = 45, dot = 46;
const slash = 47, zero = 48, nine = 57, colon = 58, upperE = 69, upperI = 73, upperN = 78, openBracket = 91;
const backslash = 92, closeBracket = 93, lowerE = 101, lowerF = 102, lowerN = 110, lowerT = 116, openBrace = 123;
const closeBrace = 125, lowerB = 98, lowerR = 114, lowerU = 117, byteOrderMark = 0xfeff;

/** Exact powers of ten for the fast path of number parsing (10^22 is the largest exact double power of ten). */
const powersOfTen = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const maxFastPower = 22;

/**
 * Parses JSON text (RFC 8259 plus NaN, Infinity and -Infinity, as Python's json module writes them)
 * and keeps every span. Arrays put their numbers straight into chunked typed buffers, so a file of
 * millions of numbers costs 8 bytes per value (16 with spans), not an object per element.
 * A leading byte-order mark is skipped. Syntax errors throw a TensorFormatError at the bad token.
 */
export function scanJson(text: string, fileName: string, options: JsonScanOptions = {}): JsonScan {
  return new JsonScanner(text, fileName, options).scan();
}

class JsonScanner {
  private pos = 0;
  private readonly len: number;
  private readonly elements: JsonElements;
  private readonly withSpans: boolean;
  private readonly maxArrayElements: number;

  constructor(private readonly text: string, private readonly fileName: string, options: JsonScanOptions) {
    this.len = text.length;
    this.withSpans = options.elementSpans ?? true;
    this.maxArrayElements = options.maxArrayElements ?? Number.MAX_SAFE_INTEGER;
    this.elements = new JsonElements(this.withSpans, text.length);
  }

  scan(): JsonScan {
    if (this.text.charCodeAt(0) === byteOrderMark) this.pos = 1;
    const root = this.parseValue(0);
    if (this.skipWhitespace() !== -1) throw this.syntaxError(this.pos, `${this.describeToken(this.pos)} after the JSON value; expected the end of the file`);
    return { root, elements: this.elements };
  }

  /** Skips JSON whitespace; returns the next character code, or -1 at the end. */
  private skipWhitespace(): number {
    const text = this.text;
    let pos = this.pos;
    while (pos < this.len) {
      const c = text.charCodeAt(pos);
      if (c !== space && c !== lineFeed && c !== carriageReturn && c !== tab) {
        this.pos = pos;
        return c;
      }
      pos++;
    }
    this.pos = pos;
    return -1;
  }

  private parseValue(depth: number): JsonNode {
    const c = this.skipWhitespace();
    const start = this.pos;
    if (c === openBracket) return this.parseArray(depth);
    if (c === openBrace) return this.parseObject(depth);
    if (c === quote) {
      const value = this.scanString();
      return { kind: 'string', start, end: this.pos, value };
    }
    if (c === minus || (c >= zero && c <= nine) || c === upperN || c === upperI) {
      const value = this.scanNumber();
      return { kind: 'number', start, end: this.pos, value };
    }
    if (c === lowerT || c === lowerF || c === lowerN) {
      const word = this.scanWord();
      if (word === 'true' || word === 'false' || word === 'null') {
        return { kind: 'literal', start, end: this.pos, value: word === 'null' ? null : word === 'true' };
      }
    }
    throw this.syntaxError(start, `${this.describeToken(start)}; expected a value`);
  }

  private parseObject(depth: number): JsonObjectNode {
    const start = this.pos;
    this.checkDepth(depth, start);
    this.pos++;
    const entries: JsonEntry[] = [];
    let c = this.skipWhitespace();
    if (c === closeBrace) {
      this.pos++;
      return { kind: 'object', start, end: this.pos, entries };
    }
    for (;;) {
      if (c !== quote) {
        const expected = entries.length === 0 ? "a string key or '}'" : 'a string key';
        throw this.syntaxError(this.pos, `${this.describeToken(this.pos)}; expected ${expected}`);
      }
      const keyStart = this.pos;
      const key = this.scanString();
      const keySpan = { start: keyStart, end: this.pos };
      if (this.skipWhitespace() !== colon) throw this.syntaxError(this.pos, `${this.describeToken(this.pos)}; expected ':'`);
      this.pos++;
      const value = this.parseValue(depth + 1);
      entries.push({ key, keySpan, value });
      c = this.skipWhitespace();
      if (c === comma) {
        this.pos++;
        c = this.skipWhitespace();
      } else if (c === closeBrace) {
        this.pos++;
        return { kind: 'object', start, end: this.pos, entries };
      } else {
        throw this.syntaxError(this.pos, `${this.describeToken(this.pos)}; expected ',' or '}'`);
      }
    }
  }

  /**
   * Reads an array and everything nested in it without recursion for nested arrays: `counts[d]` counts
   * the elements of the open array at depth d, `dims[d]` is the length the first array at depth d
   * had (every later one must match), and numbers must all sit at one depth, `leafDepth`.
   */
  private parseArray(outerDepth: number): JsonArrayNode {
    const text = this.text;
    const len = this.len;
    const start = this.pos;
    const elements = this.elements;
    const first = elements.count;
    const withSpans = this.withSpans;
    const maxArrayElements = this.maxArrayElements;
    const chunkElements = elements.chunkElements;
    const counts: number[] = [0, 0];
    const rowStarts: number[] = [0, start];
    const dims: number[] = [0, -1];
    let leafDepth = -1;
    let depth = 1;
    let problem: JsonArrayProblem | undefined;
    let firstBoolean: TextSpan | undefined;
    // The chunk being filled: element `base + k` goes to values[k] and spans[2k], spans[2k + 1].
    let values = elements.lastValueChunk();
    let spans = elements.lastSpanChunk();
    let base = elements.lastChunkBase();
    let k = first - base;
    let pos = start + 1;
    let isAfterOpen = true;
    this.checkDepth(outerDepth, start);

    for (;;) {
      // Expecting an element (or, right after '[', the ']' of an empty array).
      let c = -1;
      while (pos < len) {
        c = text.charCodeAt(pos);
        if (c !== space && c !== lineFeed && c !== carriageReturn && c !== tab) break;
        pos++;
      }
      if (pos >= len) c = -1;
      if (!(isAfterOpen && c === closeBracket)) {
        const elementStart = pos;
        let value = 0;
        let isNumeric = true;
        if (c === minus || (c >= zero && c <= nine) || c === upperN || c === upperI) {
          this.pos = pos;
          value = this.scanNumber();
          pos = this.pos;
        } else if (c === lowerT || c === lowerF) {
          this.pos = pos;
          const word = this.scanWord();
          if (word !== 'true' && word !== 'false') throw this.syntaxError(elementStart, `${this.describeToken(elementStart)}; expected a value`);
          pos = this.pos;
          value = word === 'true' ? 1 : 0;
          if (firstBoolean === undefined) firstBoolean = { start: elementStart, end: pos };
        } else if (c === openBracket) {
          if (leafDepth !== -1 && depth >= leafDepth) {
            problem ??= { kind: 'ragged', start: pos, end: pos + 1, detail: `element ${indexPath(counts, depth)} is an array; expected a number` };
            isNumeric = false;
          } else {
            depth++;
            this.checkDepth(outerDepth + depth - 1, pos);
            counts[depth] = 0;
            rowStarts[depth] = pos;
            if (dims.length <= depth) dims[depth] = -1;
            pos++;
            isAfterOpen = true;
            continue;
          }
        } else if (c === quote || c === openBrace || c === lowerN) {
          isNumeric = false;
        } else {
          const expected = isAfterOpen ? "a value or ']'" : 'a value';
          throw this.syntaxError(pos, `${this.describeToken(pos)}; expected ${expected}`);
        }

        if (isNumeric) {
          if (leafDepth === -1) leafDepth = depth;
          else if (depth < leafDepth && problem === undefined) {
            const rows = dims[depth + 1] >= 0 ? ` of length ${dims[depth + 1]}` : '';
            problem = { kind: 'ragged', start: elementStart, end: pos, detail: `element ${indexPath(counts, depth)} is a number; expected an array${rows}` };
          }
          if (k === chunkElements) {
            elements.addChunk();
            values = elements.lastValueChunk();
            spans = elements.lastSpanChunk();
            base += chunkElements;
            k = 0;
          }
          if (base + k - first >= maxArrayElements) throw this.tooLargeError(start);
          values[k] = value;
          if (withSpans) {
            spans[2 * k] = elementStart;
            spans[2 * k + 1] = pos;
          }
          k++;
        } else {
          // Not a number: read it as any JSON value (for its syntax), then carry on from its end.
          this.pos = pos;
          elements.count = base + k;
          const node = this.parseValue(outerDepth + depth);
          if (problem === undefined && node.kind !== 'array') {
            problem = { kind: 'nonNumeric', start: node.start, end: node.end, detail: node.kind === 'object' ? '{…}' : excerpt(text, node) };
          }
          pos = node.end;
          values = elements.lastValueChunk();
          spans = elements.lastSpanChunk();
          base = elements.lastChunkBase();
          k = elements.count - base;
        }
        counts[depth]++;
      }

      // After an element: ',' continues the innermost array, ']' closes it (and maybe its parents).
      for (;;) {
        while (pos < len) {
          c = text.charCodeAt(pos);
          if (c !== space && c !== lineFeed && c !== carriageReturn && c !== tab) break;
          pos++;
        }
        if (pos >= len) c = -1;
        if (c === comma) {
          pos++;
          isAfterOpen = false;
          break;
        }
        if (c !== closeBracket) throw this.syntaxError(pos, `${this.describeToken(pos)}; expected ',' or ']'`);
        pos++;
        const length = counts[depth];
        if (depth > 1) {
          const expected = dims[depth];
          if (expected === -1) dims[depth] = length;
          else if (expected !== length && problem === undefined) {
            problem = {
              kind: 'ragged', start: rowStarts[depth], end: pos,
              detail: `row ${indexPath(counts, depth - 1)} has ${length} ${length === 1 ? 'element' : 'elements'}; expected ${expected}`,
            };
          }
        }
        if (length === 0 && leafDepth === -1) leafDepth = depth;
        depth--;
        if (depth === 0) {
          this.pos = pos;
          const n = base + k;
          elements.count = n;
          const shape = [length];
          for (let d = 2; d <= leafDepth; d++) shape.push(dims[d]);
          const node: JsonArrayNode = { kind: 'array', start, end: pos, first, count: n - first, shape };
          if (problem !== undefined) (node as { problem?: JsonArrayProblem }).problem = problem;
          if (firstBoolean !== undefined) (node as { firstBoolean?: TextSpan }).firstBoolean = firstBoolean;
          return node;
        }
        counts[depth]++;
        isAfterOpen = false;
      }
    }
  }

  /**
   * Reads a number at `pos` and leaves `pos` after it. Short decimals take the exact fast path
   * (an integer below 2^53 times or divided by an exact power of ten is one correctly rounded
   * operation); the rest go through Number(), which rounds like JSON.parse.
   */
  private scanNumber(): number {
    const text = this.text;
    const len = this.len;
    const start = this.pos;
    let pos = start;
    let c = text.charCodeAt(pos);
    const isNegative = c === minus;
    if (isNegative) {
      pos++;
      c = pos < len ? text.charCodeAt(pos) : -1;
    }
    if (c === upperI || (c === upperN && !isNegative)) {
      this.pos = pos;
      const word = this.scanWord();
      if (word === 'Infinity') return isNegative ? -Infinity : Infinity;
      if (word === 'NaN') return NaN;
      if (isNegative) throw this.invalidNumber(start);
      throw this.syntaxError(start, `${this.describeToken(start)}; expected a value`);
    }
    let mantissa = 0;
    let fractionDigits = 0;
    if (c === zero) {
      pos++;
      c = pos < len ? text.charCodeAt(pos) : -1;
      if (c >= zero && c <= nine) throw this.invalidNumber(start);
    } else if (c > zero && c <= nine) {
      do {
        mantissa = mantissa * 10 + (c - zero);
        pos++;
        c = pos < len ? text.charCodeAt(pos) : -1;
      } while (c >= zero && c <= nine);
    } else {
      throw this.invalidNumber(start);
    }
    if (c === dot) {
      pos++;
      c = pos < len ? text.charCodeAt(pos) : -1;
      if (!(c >= zero && c <= nine)) throw this.invalidNumber(start);
      do {
        mantissa = mantissa * 10 + (c - zero);
        fractionDigits++;
        pos++;
        c = pos < len ? text.charCodeAt(pos) : -1;
      } while (c >= zero && c <= nine);
    }
    let exponent = 0;
    if (c === lowerE || c === upperE) {
      pos++;
      c = pos < len ? text.charCodeAt(pos) : -1;
      let exponentSign = 1;
      if (c === plus || c === minus) {
        if (c === minus) exponentSign = -1;
        pos++;
        c = pos < len ? text.charCodeAt(pos) : -1;
      }
      if (!(c >= zero && c <= nine)) throw this.invalidNumber(start);
      do {
        if (exponent < 1e6) exponent = exponent * 10 + (c - zero);
        pos++;
        c = pos < len ? text.charCodeAt(pos) : -1;
      } while (c >= zero && c <= nine);
      exponent *= exponentSign;
    }
    this.pos = pos;
    // While the true mantissa stays below 2^53 every step above was exact; past it the computed one is >= 2^53.
    if (mantissa <= Number.MAX_SAFE_INTEGER) {
      const power = exponent - fractionDigits;
      let value: number | undefined;
      if (power === 0) value = mantissa;
      else if (power > 0 && power <= maxFastPower) value = mantissa * powersOfTen[power];
      else if (power < 0 && power >= -maxFastPower) value = mantissa / powersOfTen[-power];
      if (value !== undefined) return isNegative ? -value : value;
    }
    return Number(text.slice(start, pos));
  }

  /** Reads a run of letters, digits and underscores at `pos`. */
  private scanWord(): string {
    const start = this.pos;
    let pos = start;
    while (pos < this.len && isWordChar(this.text.charCodeAt(pos))) pos++;
    this.pos = pos;
    return this.text.slice(start, pos);
  }

  /** Reads a string at `pos` (on its opening quote) and returns its value. */
  private scanString(): string {
    const text = this.text;
    const start = this.pos;
    let pos = start + 1;
    let hasEscape = false;
    for (;;) {
      if (pos >= this.len) throw this.syntaxError(start, 'unterminated string');
      const c = text.charCodeAt(pos);
      if (c === quote) break;
      if (c === backslash) {
        hasEscape = true;
        const e = text.charCodeAt(pos + 1);
        if (e === quote || e === backslash || e === slash || e === lowerB || e === lowerF || e === lowerN || e === lowerR || e === lowerT) {
          pos += 2;
        } else if (e === lowerU && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) {
          pos += 6;
        } else {
          const shown = e === lowerU ? text.slice(pos, Math.min(pos + 6, this.len)) : text.slice(pos, pos + 2);
          throw this.syntaxError(pos, `invalid escape ${quoteToken(shown)} in a string`);
        }
      } else if (c < space) {
        throw this.syntaxError(pos, `unescaped control character ${codePointName(c)} in a string`);
      } else {
        pos++;
      }
    }
    this.pos = pos + 1;
    return hasEscape ? (JSON.parse(text.slice(start, pos + 1)) as string) : text.slice(start + 1, pos);
  }

  private checkDepth(depth: number, offset: number): void {
    if (depth >= maxJsonNestingDepth) {
      throw jsonErrorAt(this.text, offset, (at) => `${this.fileName} nests arrays or objects more than ${maxJsonNestingDepth} levels deep at ${at}.`);
    }
  }

  /** "unexpected 'x'" or "unexpected end of file" for the token at `offset`. */
  private describeToken(offset: number): string {
    if (offset >= this.len) return 'unexpected end of file';
    const c = this.text.charCodeAt(offset);
    if (isWordChar(c)) {
      let end = offset;
      while (end < this.len && end - offset < 30 && isWordChar(this.text.charCodeAt(end))) end++;
      return `unexpected ${quoteToken(this.text.slice(offset, end))}`;
    }
    if (c < space || c === 0x7f) return `unexpected character ${codePointName(c)}`;
    const codePoint = this.text.codePointAt(offset) ?? c;
    return `unexpected ${quoteToken(String.fromCodePoint(codePoint))}`;
  }

  private invalidNumber(start: number): Error {
    let end = start + 1;
    while (end < this.len && end - start < 30 && isNumberChar(this.text.charCodeAt(end))) end++;
    return this.syntaxError(start, `invalid number ${quoteToken(this.text.slice(start, end))}`);
  }

  private syntaxError(offset: number, detail: string): Error {
    return jsonErrorAt(this.text, offset, (at) => `Invalid JSON in ${this.fileName} at ${at}: ${detail}.`);
  }

  private tooLargeError(start: number): Error {
    return jsonErrorAt(
      this.text,
      start,
      (at) => `Array in ${this.fileName} at ${at} has more than ${this.maxArrayElements} elements, the most one tensor may hold.`,
    );
  }
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= zero && c <= nine) || c === 95;
}

function isNumberChar(c: number): boolean {
  return isWordChar(c) || c === dot || c === plus || c === minus;
}

/** A token in single quotes, or in double quotes when it holds a single quote. */
function quoteToken(token: string): string {
  return token.includes("'") ? `"${token}"` : `'${token}'`;
}

/** U+000A for a character code. */
function codePointName(c: number): string {
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `[1][0]` for the indices of the open arrays at depths 1..depth (`counts[d]` is the index at depth d). */
function indexPath(counts: readonly number[], depth: number): string {
  let path = '';
  for (let d = 1; d <= depth; d++) path += `[${counts[d]}]`;
  return path;
}
