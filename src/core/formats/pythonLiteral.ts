/** A value of the small Python literal language that `ast.literal_eval` accepts (no sets, bytes or complex). */
export type PythonLiteral =
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'none' }
  | { readonly kind: 'tuple' | 'list'; readonly items: readonly PythonLiteral[] }
  | { readonly kind: 'dict'; readonly entries: readonly (readonly [PythonLiteral, PythonLiteral])[] };

/** The text is not a Python literal; `index` is where in the text parsing stopped. */
export class PythonLiteralSyntaxError extends Error {
  override readonly name = 'PythonLiteralSyntaxError';
  constructor(message: string, readonly index: number) {
    super(message);
  }
}

/** How lenient `parsePythonLiteral` is. */
export interface PythonLiteralOptions {
  /** Accept Python 2 long integers such as `3L`, as numpy's `_filter_header` does for .npy 1.0 and 2.0. */
  readonly allowLongSuffix?: boolean;
}

/** Deepest bracket nesting accepted, so hostile input cannot exhaust the stack. */
export const maxNestingDepth = 64;

/** Parses one Python literal (the whole text, surrounding whitespace allowed); never evaluates anything. */
export function parsePythonLiteral(text: string, options: PythonLiteralOptions = {}): PythonLiteral {
  const parser = new Parser(text, options.allowLongSuffix ?? false);
  const value = parser.parseValue(0);
  parser.skipSpace();
  if (!parser.isAtEnd()) parser.fail();
  return value;
}

/** The literal as Python's `repr` writes it, e.g. `{'shape': (3,), 'fortran_order': False}`. */
export function formatPythonLiteral(value: PythonLiteral): string {
  switch (value.kind) {
    case 'str':
      return formatPythonString(value.value);
    case 'int':
      return value.value.toString();
    case 'float':
      return formatPythonFloat(value.value);
    case 'bool':
      return value.value ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'tuple':
      if (value.items.length === 1) return `(${formatPythonLiteral(value.items[0])},)`;
      return `(${value.items.map(formatPythonLiteral).join(', ')})`;
    case 'list':
      return `[${value.items.map(formatPythonLiteral).join(', ')}]`;
    case 'dict':
      return `{${value.entries.map(([k, v]) => `${formatPythonLiteral(k)}: ${formatPythonLiteral(v)}`).join(', ')}}`;
  }
}

/** Python's name for the literal's type, for messages: 'dict', 'tuple', 'str'. */
export function pythonTypeName(value: PythonLiteral): string {
  return value.kind === 'none' ? 'NoneType' : value.kind;
}

function formatPythonString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

function formatPythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const s = String(x);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

const simpleEscapes: Readonly<Record<string, string>> = {
  '\\': '\\', "'": "'", '"': '"', n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '',
};

class Parser {
  private index = 0;

  constructor(
    private readonly text: string,
    private readonly allowLongSuffix: boolean,
  ) {}

  isAtEnd(): boolean {
    return this.index >= this.text.length;
  }

  /** Skips whitespace and comments, as the Python tokenizer does inside brackets. */
  skipSpace(): void {
    const text = this.text;
    while (this.index < text.length) {
      const ch = text[this.index];
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v') {
        this.index++;
      } else if (ch === '#') {
        while (this.index < text.length && text[this.index] !== '\n') this.index++;
      } else {
        break;
      }
    }
  }

  fail(what?: string): never {
    if (this.isAtEnd()) throw new PythonLiteralSyntaxError('unexpected end of text', this.index);
    const token = what ?? /^[A-Za-z0-9_.]+/.exec(this.text.slice(this.index))?.[0] ?? this.text[this.index];
    throw new PythonLiteralSyntaxError(`unexpected ${formatPythonString(token)} at character ${this.index + 1}`, this.index);
  }

  parseValue(depth: number): PythonLiteral {
    this.skipSpace();
    const ch = this.text[this.index];
    if (ch === '(' || ch === '[' || ch === '{') {
      if (depth >= maxNestingDepth) throw new PythonLiteralSyntaxError(`brackets nested deeper than ${maxNestingDepth}`, this.index);
      if (ch === '(') return this.parseTuple(depth + 1);
      if (ch === '[') return { kind: 'list', items: this.parseItems(']', depth + 1).items };
      return this.parseDict(depth + 1);
    }
    if (ch === "'" || ch === '"') return this.parseStrings();
    if (ch === '-' || ch === '+' || ch === '.' || (ch >= '0' && ch <= '9')) return this.parseNumber();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.index, this.index + 64))?.[0];
    if (word === 'True' || word === 'False') {
      this.index += word.length;
      return { kind: 'bool', value: word === 'True' };
    }
    if (word === 'None') {
      this.index += word.length;
      return { kind: 'none' };
    }
    if ((word === 'u' || word === 'U') && (this.text[this.index + 1] === "'" || this.text[this.index + 1] === '"')) {
      this.index++;
      return this.parseStrings();
    }
    return this.fail();
  }

  /** `()`, `(x,)`, `(x, y)`, or a parenthesised value `(x)`. */
  private parseTuple(depth: number): PythonLiteral {
    const { items, hasComma } = this.parseItems(')', depth);
    return items.length === 1 && !hasComma ? items[0] : { kind: 'tuple', items };
  }

  private parseItems(close: string, depth: number): { items: PythonLiteral[]; hasComma: boolean } {
    this.index++;
    const items: PythonLiteral[] = [];
    let hasComma = false;
    for (;;) {
      this.skipSpace();
      if (this.text[this.index] === close) break;
      items.push(this.parseValue(depth));
      this.skipSpace();
      if (this.text[this.index] === ',') {
        hasComma = true;
        this.index++;
      } else if (this.text[this.index] !== close) {
        this.fail();
      }
    }
    this.index++;
    return { items, hasComma };
  }

  private parseDict(depth: number): PythonLiteral {
    this.index++;
    const entries: [PythonLiteral, PythonLiteral][] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.index] === '}') break;
      const key = this.parseValue(depth);
      this.skipSpace();
      if (this.text[this.index] !== ':') this.fail();
      this.index++;
      const value = this.parseValue(depth);
      entries.push([key, value]);
      this.skipSpace();
      if (this.text[this.index] === ',') this.index++;
      else if (this.text[this.index] !== '}') this.fail();
    }
    this.index++;
    return { kind: 'dict', entries };
  }

  /** One string, or adjacent strings joined as Python joins 'a' 'b'. */
  private parseStrings(): PythonLiteral {
    let value = this.parseString();
    for (;;) {
      const mark = this.index;
      this.skipSpace();
      const ch = this.text[this.index];
      if (ch !== "'" && ch !== '"') {
        this.index = mark;
        return { kind: 'str', value };
      }
      value += this.parseString();
    }
  }

  private parseString(): string {
    const text = this.text;
    const quote = text[this.index];
    if (text.startsWith(quote.repeat(3), this.index)) this.fail('triple-quoted string');
    const start = this.index;
    this.index++;
    let out = '';
    for (;;) {
      if (this.index >= text.length || text[this.index] === '\n') {
        throw new PythonLiteralSyntaxError(`unterminated string starting at character ${start + 1}`, start);
      }
      const ch = text[this.index++];
      if (ch === quote) return out;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      out += this.parseEscape();
    }
  }

  private parseEscape(): string {
    const text = this.text;
    const ch = text[this.index];
    if (ch === undefined) return '\\';
    if (Object.prototype.hasOwnProperty.call(simpleEscapes, ch)) {
      this.index++;
      return simpleEscapes[ch];
    }
    const hexLength = ch === 'x' ? 2 : ch === 'u' ? 4 : ch === 'U' ? 8 : 0;
    if (hexLength > 0) {
      const hex = text.slice(this.index + 1, this.index + 1 + hexLength);
      const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === hexLength ? parseInt(hex, 16) : NaN;
      if (!(code <= 0x10ffff)) throw new PythonLiteralSyntaxError(`invalid \\${ch} escape at character ${this.index}`, this.index - 1);
      this.index += 1 + hexLength;
      return String.fromCodePoint(code);
    }
    const octal = /^[0-7]{1,3}/.exec(text.slice(this.index, this.index + 3))?.[0];
    if (octal) {
      this.index += octal.length;
      return String.fromCharCode(parseInt(octal, 8));
    }
    // Python keeps unknown escapes as written, backslash included.
    return '\\';
  }

  private parseNumber(): PythonLiteral {
    const start = this.index;
    let sign = 1;
    while (this.text[this.index] === '-' || this.text[this.index] === '+') {
      if (this.text[this.index] === '-') sign = -sign;
      this.index++;
      this.skipSpace();
    }
    const rest = this.text.slice(this.index, this.index + 400);
    const float = /^(?:\d(?:_?\d)*)?(?:\.(?:\d(?:_?\d)*)?)?(?:[eE][+-]?\d(?:_?\d)*)?/.exec(rest)?.[0] ?? '';
    const int = /^\d(?:_?\d)*/.exec(rest)?.[0] ?? '';
    if (float.length > int.length && /\d/.test(float) && /[.eE]/.test(float)) {
      this.index += float.length;
      this.checkNumberEnd(start);
      return { kind: 'float', value: sign * Number(float.replace(/_/g, '')) };
    }
    if (int.length === 0) {
      this.index = start;
      return this.fail();
    }
    this.index += int.length;
    if (this.allowLongSuffix && (this.text[this.index] === 'L' || this.text[this.index] === 'l')) this.index++;
    this.checkNumberEnd(start);
    const digits = int.replace(/_/g, '');
    if (digits.length > 1 && /^0+[1-9]/.test(digits)) {
      throw new PythonLiteralSyntaxError(`leading zeros in ${formatPythonString(int)} at character ${start + 1}`, start);
    }
    return { kind: 'int', value: BigInt(sign) * BigInt(digits) };
  }

  private checkNumberEnd(start: number): void {
    if (/[A-Za-z0-9_.]/.test(this.text[this.index] ?? '')) {
      const end = /^[A-Za-z0-9_.]*/.exec(this.text.slice(this.index))![0].length;
      throw new PythonLiteralSyntaxError(`invalid number ${formatPythonString(this.text.slice(start, this.index + end))} at character ${start + 1}`, start);
    }
  }
}
