import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { memoryByteSource } from '../../../../src/core/byteSource';
import { openTensorFile } from '../../../../src/core/formats/openTensorFile';
import type { TensorFile, TensorFormatName } from '../../../../src/core/formats/tensorFile';
import type { TensorInfo } from '../../../../src/core/tensor';
import { fixturesDir, formatCases, type FormatCase } from '../../../helpers/formatCases';
import { rejectsWith } from '../../../helpers/formatErrors';

/** What numpy reads from one tensor: float64 in C order, NaN and infinities as strings. */
interface ExpectedTensor {
  readonly values: readonly (number | 'NaN' | 'Infinity' | '-Infinity')[];
  /** int64/uint64 elements float64 cannot hold exactly. */
  readonly roundedCount: number;
}

/** How each format's corpus is checked beyond its rows. */
interface FormatCorpus {
  /** numpy's values for every tensor of a valid file, by tensor name, from the corpus's expected.json. */
  readonly expected?: (file: string, listed: readonly TensorInfo[]) => Record<string, ExpectedTensor> | undefined;
  /** True when its reader must stream tensors through `readChunks`. */
  readonly streams: boolean;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(join(fixturesDir, path), 'utf8')) as T;
}

/** Expected values keyed by file and tensor, as npz/ and safetensors/ write them. */
function byTensor(path: string): FormatCorpus['expected'] {
  const table = readJson<Record<string, Record<string, ExpectedTensor>>>(path);
  return (file) => table[file];
}

/** npy/expected.json is keyed by file alone: an .npy file holds one tensor. */
function byFile(path: string): FormatCorpus['expected'] {
  const table = readJson<Record<string, ExpectedTensor>>(path);
  return (file, listed) => (table[file] === undefined ? undefined : { [listed[0].name]: table[file] });
}

const corpora: Record<TensorFormatName, FormatCorpus> = {
  npy: { expected: byFile('npy/expected.json'), streams: false },
  npz: { expected: byTensor('npz/expected.json'), streams: true },
  safetensors: { expected: byTensor('safetensors/expected.json'), streams: true },
  json: { streams: false },
};

function formatOf(c: FormatCase): TensorFormatName {
  return c.file.slice(0, c.file.indexOf('/')) as TensorFormatName;
}

/** Opens a fixture as the CLI and the extension do: by content, then by its base name. */
async function open(file: string): Promise<TensorFile> {
  return openTensorFile(memoryByteSource(readFileSync(join(fixturesDir, file)), basename(file)));
}

/** The tensor a row describes: the one it names, else the file's first. */
function describedTensor(file: TensorFile, c: FormatCase): TensorInfo {
  const info = c.tensor === undefined ? file.tensors[0] : file.tensors.find((t) => t.name === c.tensor);
  assert.ok(info, `${c.file} lists no tensor ${c.tensor}`);
  return info;
}

function fromJson(v: number | string): number {
  return typeof v === 'number' ? v : Number(v);
}

/** Reads a tensor whole and, where the reader streams, in chunks; checks both against numpy. */
async function checkTensor(file: TensorFile, info: TensorInfo, want: ExpectedTensor | undefined): Promise<void> {
  const tensor = await file.read(info.name);
  assert.equal(tensor.count, info.count, info.name);
  assert.equal(tensor.values.length, info.count, info.name);
  if (want !== undefined) {
    assert.equal(tensor.values.length, want.values.length, info.name);
    tensor.values.forEach((v, i) => {
      const w = fromJson(want.values[i]);
      if (!Object.is(v, w)) assert.fail(`${info.name}[${i}]: ${v}, numpy reads ${w}`);
    });
    const rounded = tensor.warnings.filter((w) => w.includes('rounded'));
    assert.equal(rounded.length, want.roundedCount > 0 ? 1 : 0, info.name);
    if (rounded.length > 0) assert.match(rounded[0], new RegExp(`^${want.roundedCount} ${info.dtype} values? of '${info.name}'`));
  }
  if (!file.readChunks) return;
  const streamed: number[] = [];
  const chunks = file.readChunks(info.name);
  for await (const chunk of chunks) {
    assert.equal(chunk.start, streamed.length);
    streamed.push(...chunk.values);
  }
  assert.deepEqual(streamed, [...tensor.values], `${info.name} streamed`);
  assert.deepEqual(chunks.warnings, tensor.warnings, `${info.name} streamed warnings`);
}

/** Every file below a folder of the fixtures, as a path relative to test/fixtures. */
function filesBelow(folder: string): string[] {
  return readdirSync(join(fixturesDir, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(fixturesDir.length + 1).split('\\').join('/'));
}

describe('format cases (test/fixtures/cases.json) through openTensorFile', function () {
  it('has rows that list fine and then fail to read', function () {
    assert.ok(formatCases.some((c) => c.readError !== undefined));
  });

  for (const [format, corpus] of Object.entries(corpora) as [TensorFormatName, FormatCorpus][]) {
    const cases = formatCases.filter((c) => formatOf(c) === format);

    describe(`${format}/`, function () {
      it(`has valid and malformed ${format} files, and a row for every one`, function () {
        assert.ok(cases.some((c) => c.error === undefined && c.readError === undefined));
        assert.ok(cases.some((c) => c.error !== undefined));
        const files = filesBelow(format).filter((f) => f.endsWith(`.${format}`));
        assert.deepEqual([...new Set(cases.map((c) => c.file))].sort(), files.sort());
      });

      for (const c of cases) {
        const subject = `${c.file}${c.tensor === undefined ? '' : ` '${c.tensor}'`}`;
        if (c.error !== undefined) {
          it(`${subject} fails: ${c.error}`, async function () {
            await rejectsWith(open(c.file), c.error!);
          });
          continue;
        }
        if (c.readError !== undefined) {
          it(`${subject} lists as ${c.dtype} ${JSON.stringify(c.shape)}, then fails to read: ${c.readError}`, async function () {
            const file = await open(c.file);
            const info = describedTensor(file, c);
            assert.deepEqual([info.dtype, info.shape], [c.dtype, c.shape]);
            await rejectsWith(file.read(info.name), c.readError!);
            if (corpus.streams) assert.ok(file.readChunks, `${format} streams`);
            if (!file.readChunks) return;
            const chunks = file.readChunks(info.name);
            await rejectsWith((async () => { for await (const chunk of chunks) void chunk; })(), c.readError!);
          });
          continue;
        }
        const what = c.tensors === undefined ? `${c.dtype} ${JSON.stringify(c.shape)}` : `${c.tensors.length} ${c.tensors.length === 1 ? 'tensor' : 'tensors'}`;
        const reads = corpus.expected ? 'reads every value bit for bit as numpy' : 'reads every element';
        it(`${subject} lists as ${what} and ${reads}`, async function () {
          const file = await open(c.file);
          assert.equal(file.format, format);
          const info = describedTensor(file, c);
          assert.deepEqual([info.dtype, info.shape], [c.dtype, c.shape]);
          if (c.tensors !== undefined) assert.deepEqual(file.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape })), c.tensors);
          else if (c.tensor === undefined) assert.equal(file.tensors.length, 1, 'a row without tensor or tensors describes a file of one tensor');
          if (corpus.streams) assert.ok(file.readChunks, `${format} streams`);
          const want = corpus.expected?.(basename(c.file), file.tensors);
          if (corpus.expected) {
            assert.ok(want, `${format}/expected.json has ${basename(c.file)}`);
            assert.deepEqual(file.tensors.map((t) => t.name), Object.keys(want), 'the tensors numpy reads');
          }
          for (const t of c.tensor === undefined ? file.tensors : [info]) await checkTensor(file, t, want?.[t.name]);
        });
      }
    });
  }
});
