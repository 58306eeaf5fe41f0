import { TensorFormatError } from '../errors';

/** A range of characters `[start, end)` of a JSON text, counted in UTF-16 code units as VS Code counts them. */
export interface TextSpan {
  readonly start: number;
  readonly end: number;
}

/** A 1-based line and column; the column counts UTF-16 code units, as VS Code shows them. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

const lineFeed = 10;
const carriageReturn = 13;

/** Maps character offsets of one text to lines and columns; `\n`, `\r\n` and a lone `\r` end a line. */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === lineFeed) this.lineStarts.push(i + 1);
      else if (c === carriageReturn) {
        if (text.charCodeAt(i + 1) === lineFeed) i++;
        this.lineStarts.push(i + 1);
      }
    }
  }

  /** The position of `offset`; offsets past the end stay on the last line. */
  positionAt(offset: number): TextPosition {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  }
}

/** The position of one offset, scanning only the text before it (for a single error message). */
export function positionAt(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  const stop = Math.min(offset, text.length);
  for (let i = 0; i < stop; i++) {
    const c = text.charCodeAt(i);
    if (c === lineFeed) {
      line++;
      lineStart = i + 1;
    } else if (c === carriageReturn) {
      if (i + 1 < stop && text.charCodeAt(i + 1) === lineFeed) i++;
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * A format error at `offset` of `text`; `write` receives "line L, column C" to place in the message,
 * and the error's location carries the offset, line and column for a diagnostic.
 */
export function jsonErrorAt(text: string, offset: number, write: (at: string) => string, entry?: string): TensorFormatError {
  const { line, column } = positionAt(text, offset);
  const location = entry === undefined ? { offset, line, column } : { offset, line, column, entry };
  return new TensorFormatError(write(`line ${line}, column ${column}`), location);
}

/** Longest excerpt of the source quoted in a message. */
export const maxQuotedChars = 40;

/** A piece of source text for a message, shortened with an ellipsis and kept on one line. */
export function excerpt(text: string, span: TextSpan): string {
  const end = Math.min(span.end, span.start + maxQuotedChars);
  let s = text.slice(span.start, end).replace(/\s+/g, ' ');
  if (end < span.end) s += '…';
  return s;
}
