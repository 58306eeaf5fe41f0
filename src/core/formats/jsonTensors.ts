import { dtypeBytes, isDType, type DType } from '../dtype';
import type { TensorFormatError } from '../errors';
import { shapeCount, type TensorInfo } from '../tensor';
import { excerpt, jsonErrorAt, type TextSpan } from './jsonPosition';
import { scanJson, type JsonArrayNode, type JsonElements, type JsonNode, type JsonObjectNode, type JsonScan } from './jsonScanner';

/** One tensor of a JSON file, with the source spans the editor needs for squiggles, hovers and CodeLenses. */
export interface JsonTensor {
  readonly info: TensorInfo;
  /** Elements in C order as float64; NaN and ±Infinity are kept as they are. */
  readonly values: Float64Array;
  /** Element i was written at `[elementSpans[2i], elementSpans[2i + 1])`; empty when spans were not asked for. */
  readonly elementSpans: Uint32Array;
  /** The tensor's value: the array, or the `{"shape", "dtype", "data"}` object. */
  readonly span: TextSpan;
  /** The tensor's name as written (with quotes), in a file of named tensors. */
  readonly keySpan?: TextSpan;
  /** Things the user should know, e.g. int64 values beyond 2^53. */
  readonly warnings: readonly string[];
}

/** A parsed JSON tensor file. */
export interface JsonTensorDocument {
  readonly fileName: string;
  /** True when the file is an object of named tensors; false for one tensor named after the file. */
  readonly isNamed: boolean;
  /** Every tensor, in file order. */
  readonly tensors: readonly JsonTensor[];
}

/** How to parse a JSON tensor file. */
export interface JsonTensorOptions {
  /** Keep every element's source span (default true); readers that only need values turn it off. */
  readonly elementSpans?: boolean;
  /** Largest tensor, in bytes of float64 values, to accept; no cap by default. */
  readonly maxTensorBytes?: number;
}

/** Keys of the `{"shape": [...], "dtype": "...", "data": [...]}` form. */
const tensorObjectKeys: ReadonlySet<string> = new Set(['shape', 'dtype', 'data']);

/** Largest finite magnitude of each float dtype (numpy's finfo(...).max, ml_dtypes for the float8s). */
const floatMaxima: Partial<Record<DType, number>> = {
  float16: 65504,
  bfloat16: 3.3895313892515355e38,
  float32: 3.4028234663852886e38,
  float8_e4m3fn: 448,
  float8_e5m2: 57344,
};

/** Inclusive integer range of each integer dtype (numpy's iinfo); int64/uint64 bounds as the nearest float64. */
const integerRanges: Partial<Record<DType, readonly [number, number]>> = {
  int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647], int64: [-(2 ** 63), 2 ** 63],
  uint8: [0, 255], uint16: [0, 65535], uint32: [0, 4294967295], uint64: [0, 2 ** 64],
};

/** What a file may hold, for messages. */
const expectedTopLevel = 'an array of numbers or an object of tensors';
const expectedTensor = 'a tensor: an array of numbers or an object with "data"';

/**
 * Parses a JSON tensor file. Three shapes are accepted:
 * - an array of numbers, nested as deep as the tensor has dimensions: one float64 tensor named after the file;
 * - an object `{"shape": [...], "dtype": "...", "data": [...]}` (only these keys; "data" required, flat or
 *   nested; "shape" defaults to the nesting; "dtype" is one of Clipwise's names, default "float64"): one tensor;
 * - an object of named tensors, each in one of the two forms above. A top-level object with "data" is the
 *   second form when it also has "shape" or "dtype" or no other key; otherwise its keys name tensors.
 *
 * Values are numbers, plus NaN, Infinity and -Infinity as Python's json module writes them. They are
 * kept as float64 and must be representable in the dtype: integers within range for the int dtypes,
 * 0, 1, true or false for "bool" (true and false are accepted for "bool" only), and finite values within
 * the dtype's largest magnitude for the float dtypes (float8_e4m3fn has no infinity). The int64 and uint64
 * bounds are checked on the parsed float64, so a literal that rounds to 2^63 passes as int64.
 *
 * Every error is a TensorFormatError whose location (and message) gives the line and column.
 */
export function parseJsonTensorText(text: string, fileName: string, options: JsonTensorOptions = {}): JsonTensorDocument {
  const maxTensorBytes = options.maxTensorBytes ?? Infinity;
  const scanOptions = {
    elementSpans: options.elementSpans ?? true,
    maxArrayElements: Math.min(Number.MAX_SAFE_INTEGER, Math.floor(maxTensorBytes / 8)),
  };
  const start = skipBlank(text);
  if (start === text.length) {
    throw jsonErrorAt(text, 0, () => `${fileName} is empty; expected ${expectedTopLevel}.`);
  }
  const scan = scanJson(text, fileName, scanOptions);
  return new JsonTensorReader(text, fileName, scan, scanOptions).read();
}

/** Offset of the first character that is not a byte-order mark or JSON whitespace. */
function skipBlank(text: string): number {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  return i;
}

/** The name of the single tensor of a file: its base name without the extension. */
export function tensorNameOfFile(fileName: string): string {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Where a tensor is, for messages: the file, or the named tensor of the file. */
interface TensorPlace {
  readonly name: string;
  /** "weights.json" or "tensor 'w' of weights.json". */
  readonly label: string;
  readonly isNamed: boolean;
}

class JsonTensorReader {
  private elementsWithSpans: JsonElements | undefined;

  constructor(
    private readonly text: string,
    private readonly fileName: string,
    private readonly scan: JsonScan,
    private readonly scanOptions: { readonly elementSpans: boolean; readonly maxArrayElements: number },
  ) {}

  read(): JsonTensorDocument {
    const root = this.scan.root;
    const file = this.fileName;
    const single: TensorPlace = { name: tensorNameOfFile(file), label: file, isNamed: false };
    if (root.kind === 'array') return { fileName: file, isNamed: false, tensors: [this.readArrayTensor(root, root, single)] };
    if (root.kind !== 'object') {
      throw this.errorAt(root.start, (at) => `${file} holds ${describeValue(this.text, root)} at ${at}; expected ${expectedTopLevel}.`);
    }
    if (root.entries.length === 0) {
      throw this.errorAt(root.start, (at) => `${file} holds an empty object at ${at}; expected ${expectedTopLevel}.`);
    }
    const keys = root.entries.map((e) => e.key);
    const isTensorObject = keys.includes('data') && (keys.every((k) => tensorObjectKeys.has(k)) || keys.includes('shape') || keys.includes('dtype'));
    if (isTensorObject) return { fileName: file, isNamed: false, tensors: [this.readObjectTensor(root, single)] };

    this.refuseDuplicateKeys(root);
    const tensors = root.entries.map((entry): JsonTensor => {
      const place: TensorPlace = { name: entry.key, label: `tensor '${entry.key}' of ${file}`, isNamed: true };
      const value = entry.value;
      let tensor: JsonTensor;
      if (value.kind === 'array') tensor = this.readArrayTensor(value, value, place);
      else if (value.kind === 'object' && value.entries.some((e) => e.key === 'data')) tensor = this.readObjectTensor(value, place);
      else {
        const what = value.kind === 'object' ? 'an object without "data"' : describeValue(this.text, value);
        throw this.errorAt(value.start, (at) => `Entry '${entry.key}' in ${file} at ${at} is ${what}; expected ${expectedTensor}.`, entry.key);
      }
      return { ...tensor, keySpan: entry.keySpan };
    });
    return { fileName: file, isNamed: true, tensors };
  }

  /** A tensor from the `{"shape", "dtype", "data"}` form. */
  private readObjectTensor(node: JsonObjectNode, place: TensorPlace): JsonTensor {
    this.refuseDuplicateKeys(node, place);
    let shapeNode: JsonNode | undefined;
    let dtypeNode: JsonNode | undefined;
    let dataNode: JsonNode | undefined;
    for (const entry of node.entries) {
      if (entry.key === 'shape') shapeNode = entry.value;
      else if (entry.key === 'dtype') dtypeNode = entry.value;
      else if (entry.key === 'data') dataNode = entry.value;
      else {
        throw this.errorAt(
          entry.keySpan.start,
          (at) => `Unexpected key '${entry.key}' in ${place.label} at ${at}; expected only "shape", "dtype" and "data".`,
          place,
        );
      }
    }
    const data = dataNode as JsonNode;

    let dtype: DType = 'float64';
    if (dtypeNode !== undefined) {
      const d = dtypeNode;
      if (d.kind !== 'string' || !isDType(d.value)) {
        const names = Object.keys(dtypeBytes).join(', ');
        throw this.errorAt(d.start, (at) => `Unknown dtype ${excerpt(this.text, d)} in ${place.label} at ${at}; expected one of ${names}.`, place);
      }
      dtype = d.value;
    }

    let shape: readonly number[] | undefined;
    if (shapeNode !== undefined) shape = this.readShape(shapeNode, place);

    let tensor: JsonTensor;
    if (data.kind === 'array') {
      tensor = this.readArrayTensor(data, node, place, dtype);
    } else if (data.kind === 'number' || (data.kind === 'literal' && typeof data.value === 'boolean' && dtype === 'bool')) {
      const values = Float64Array.of(typeof data.value === 'number' ? data.value : data.value ? 1 : 0);
      const spans = Uint32Array.of(data.start, data.end);
      tensor = this.makeTensor(place, dtype, [], values, spans, node, this.checkValues(values, spans, dtype, -1, place));
    } else {
      throw this.errorAt(data.start, (at) => `Invalid "data" in ${place.label} at ${at}: ${describeValue(this.text, data)}; expected an array of numbers.`, place);
    }

    if (shape !== undefined && shapeNode !== undefined) {
      const s = shapeNode;
      const dataShape = tensor.info.shape;
      if (dataShape.length <= 1) {
        const expected = shapeCount(shape);
        if (expected !== tensor.info.count) {
          throw this.errorAt(
            s.start,
            (at) => `Shape ${formatList(shape)} in ${place.label} at ${at} does not match the data: ${expected} elements expected, ${tensor.info.count} found.`,
            place,
          );
        }
      } else if (dataShape.length !== shape.length || dataShape.some((dim, i) => dim !== shape[i])) {
        throw this.errorAt(
          s.start,
          (at) => `Shape ${formatList(shape)} in ${place.label} at ${at} does not match the data, which is nested as ${formatList(dataShape)}.`,
          place,
        );
      }
      tensor = { ...tensor, info: { ...tensor.info, shape, count: shapeCount(shape) } };
    }
    return tensor;
  }

  /** A shape: an array of non-negative integers, or [] for a 0-d tensor. */
  private readShape(node: JsonNode, place: TensorPlace): readonly number[] {
    const shape: number[] = [];
    let isValid = node.kind === 'array' && node.problem === undefined && node.firstBoolean === undefined && node.shape.length === 1;
    if (isValid && node.kind === 'array') {
      for (let i = 0; i < node.count; i++) {
        const dim = this.scan.elements.valueAt(node.first + i);
        if (!Number.isSafeInteger(dim) || dim < 0) isValid = false;
        shape.push(dim);
      }
    }
    if (!isValid) {
      throw this.errorAt(
        node.start,
        (at) => `Invalid shape ${excerpt(this.text, node)} in ${place.label} at ${at}; expected an array of non-negative integers.`,
        place,
      );
    }
    return shape;
  }

  /** A tensor from a (possibly nested) array; `span` is the node the tensor is shown at. */
  private readArrayTensor(node: JsonArrayNode, span: TextSpan, place: TensorPlace, dtype: DType = 'float64'): JsonTensor {
    const problem = node.problem;
    const boolean = dtype === 'bool' ? undefined : node.firstBoolean;
    if (boolean !== undefined && (problem === undefined || boolean.start < problem.start)) {
      throw this.errorAt(
        boolean.start,
        (at) => `Non-numeric entry ${this.text.slice(boolean.start, boolean.end)} in ${place.label} at ${at}; expected a number (true and false need dtype "bool").`,
        place,
      );
    }
    if (problem !== undefined) {
      if (problem.kind === 'nonNumeric') {
        throw this.errorAt(problem.start, (at) => `Non-numeric entry ${problem.detail} in ${place.label} at ${at}; expected a number.`, place);
      }
      throw this.errorAt(problem.start, (at) => `Ragged array in ${place.label} at ${at}: ${problem.detail}.`, place);
    }
    const { first, count } = node;
    const values = this.scan.elements.copyValues(first, count);
    const spans = this.scan.elements.copySpans(first, count);
    return this.makeTensor(place, dtype, node.shape, values, spans, span, this.checkValues(values, spans, dtype, first, place));
  }

  private makeTensor(
    place: TensorPlace, dtype: DType, shape: readonly number[], values: Float64Array, elementSpans: Uint32Array, span: TextSpan,
    warnings: readonly string[],
  ): JsonTensor {
    const info: TensorInfo = { name: place.name, dtype, shape, count: values.length, byteSize: 0 };
    return { info, values, elementSpans, span: { start: span.start, end: span.end }, warnings };
  }

  /**
   * Refuses values the dtype cannot hold, pointing at the first; `first` is the tensor's first element
   * in the scan. Returns the warnings: int64/uint64 values may have been rounded (numerics contract, Values).
   */
  private checkValues(values: Float64Array, elementSpans: Uint32Array, dtype: DType, first: number, place: TensorPlace): string[] {
    let bad = -1;
    let expected = '';
    const range = integerRanges[dtype];
    const floatMax = floatMaxima[dtype];
    if (dtype === 'bool') {
      expected = '0, 1, true or false';
      for (let i = 0; i < values.length && bad < 0; i++) if (values[i] !== 0 && values[i] !== 1) bad = i;
    } else if (range !== undefined) {
      const [lo, hi] = range;
      expected = dtype === 'int64' || dtype === 'uint64' ? `integers from ${lo === 0 ? '0' : '-2^63'} to ${lo === 0 ? '2^64 - 1' : '2^63 - 1'}` : `integers from ${lo} to ${hi}`;
      for (let i = 0; i < values.length && bad < 0; i++) {
        const v = values[i];
        if (!Number.isInteger(v) || v < lo || v > hi) bad = i;
      }
    } else if (floatMax !== undefined) {
      const hasInfinity = dtype !== 'float8_e4m3fn';
      expected = `values from -${floatMax} to ${floatMax}${hasInfinity ? ', NaN or ±Infinity' : ' or NaN'}`;
      for (let i = 0; i < values.length && bad < 0; i++) {
        const v = values[i];
        if (Math.abs(v) > floatMax && (v === v) && (!hasInfinity || Number.isFinite(v))) bad = i;
      }
    }
    if (bad >= 0) {
      const span = this.elementSpan(elementSpans, first, bad);
      throw this.errorAt(
        span.start,
        (at) => `Value ${excerpt(this.text, span)} in ${place.label} at ${at} does not fit dtype "${dtype}"; expected ${expected}.`,
        place,
      );
    }
    if (dtype === 'int64' || dtype === 'uint64') {
      let beyond = 0;
      for (let i = 0; i < values.length; i++) if (Math.abs(values[i]) > Number.MAX_SAFE_INTEGER) beyond++;
      if (beyond > 0) {
        const subject = beyond === 1 ? '1 value' : `${beyond} values`;
        const verb = beyond === 1 ? 'lies' : 'lie';
        return [`${subject} of ${place.label} ${verb} beyond ±2^53 and may have been rounded to the nearest float64.`];
      }
    }
    return [];
  }

  /** Where element `index` of a tensor was written; scans again with spans when they were not kept. */
  private elementSpan(elementSpans: Uint32Array, first: number, index: number): TextSpan {
    if (elementSpans.length > 0) return { start: elementSpans[2 * index], end: elementSpans[2 * index + 1] };
    this.elementsWithSpans ??= scanJson(this.text, this.fileName, { ...this.scanOptions, elementSpans: true }).elements;
    const span = this.elementsWithSpans.copySpans(first + index, 1);
    return { start: span[0], end: span[1] };
  }

  private refuseDuplicateKeys(node: JsonObjectNode, place?: TensorPlace): void {
    const seen = new Set<string>();
    for (const entry of node.entries) {
      if (seen.has(entry.key)) {
        const where = place?.label ?? this.fileName;
        throw this.errorAt(entry.keySpan.start, (at) => `Duplicate key '${entry.key}' in ${where} at ${at}; expected each key once.`, place);
      }
      seen.add(entry.key);
    }
  }

  private errorAt(offset: number, write: (at: string) => string, entry?: TensorPlace | string): TensorFormatError {
    const name = typeof entry === 'string' ? entry : entry?.isNamed ? entry.name : undefined;
    return jsonErrorAt(this.text, offset, write, name);
  }
}

/** A value for a message: `the string "abc"`, `the number 3`, `null`, `an array`. */
function describeValue(text: string, node: JsonNode): string {
  switch (node.kind) {
    case 'string': return `the string ${excerpt(text, node)}`;
    case 'number': return `the number ${excerpt(text, node)}`;
    case 'literal': return String(node.value);
    case 'array': return 'an array';
    case 'object': return 'an object';
  }
}

/** [2, 3] */
function formatList(values: readonly number[]): string {
  return `[${values.join(', ')}]`;
}
