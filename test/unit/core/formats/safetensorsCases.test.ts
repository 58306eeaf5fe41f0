import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { memoryByteSource } from '../../../../src/core/byteSource';
import { TensorFormatError } from '../../../../src/core/errors';
import { openTensorFile } from '../../../../src/core/formats/openTensorFile';

/**
 * A row of test/fixtures/cases.json: a file that lists (and reads), one that fails to open with an
 * exact message, or one that lists and then fails to read with `readError`.
 */
interface FormatCase {
  readonly file: string;
  readonly dtype?: string;
  readonly shape?: readonly number[];
  readonly tensors?: readonly { name: string; dtype: string; shape: number[] }[];
  readonly error?: string;
  readonly readError?: string;
}

/** Values numpy computes for each valid file; test/fixtures/safetensors/generate.py writes it. */
type ExpectedValues = Record<string, Record<string, { readonly values: readonly (number | string)[]; readonly roundedCount: number }>>;

const fixtures = join(__dirname, '../../../fixtures');
const cases = (JSON.parse(readFileSync(join(fixtures, 'cases.json'), 'utf8')) as FormatCase[]).filter((c) => c.file.startsWith('safetensors/'));
const expected = JSON.parse(readFileSync(join(fixtures, 'safetensors/expected.json'), 'utf8')) as ExpectedValues;

async function open(file: string) {
  return openTensorFile(memoryByteSource(readFileSync(join(fixtures, file)), basename(file)));
}

async function rejectsWith(promise: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof TensorFormatError, `expected a TensorFormatError, got ${String(err)}`);
    assert.equal(err.message, message);
    return true;
  });
}

describe('.safetensors format cases (test/fixtures/cases.json)', function () {
  it('has valid files and malformed ones', function () {
    assert.ok(cases.some((c) => c.error === undefined && c.readError === undefined));
    assert.ok(cases.some((c) => c.error !== undefined));
  });

  for (const c of cases) {
    if (c.error !== undefined) {
      it(`${c.file} fails: ${c.error}`, async function () {
        await rejectsWith(open(c.file), c.error!);
      });
      continue;
    }
    if (c.readError !== undefined) {
      it(`${c.file} lists as ${c.dtype} ${JSON.stringify(c.shape)}, then fails to read: ${c.readError}`, async function () {
        const file = await open(c.file);
        assert.equal(file.tensors[0].dtype, c.dtype);
        assert.deepEqual(file.tensors[0].shape, c.shape);
        await rejectsWith(file.read(file.tensors[0].name), c.readError!);
        const chunks = file.readChunks!(file.tensors[0].name);
        await rejectsWith((async () => { for await (const chunk of chunks) void chunk; })(), c.readError!);
      });
      continue;
    }
    it(`${c.file} lists every tensor in data order and reads it bit for bit as numpy computes`, async function () {
      const file = await open(c.file);
      assert.equal(file.format, 'safetensors');
      assert.deepEqual(file.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape })), c.tensors);
      const want = expected[basename(c.file)];
      assert.deepEqual(file.tensors.map((t) => t.name), Object.keys(want));
      for (const info of file.tensors) {
        const tensor = await file.read(info.name);
        const values = want[info.name].values.map((v) => (typeof v === 'number' ? v : Number(v)));
        assert.equal(tensor.values.length, values.length, info.name);
        tensor.values.forEach((v, i) => {
          if (!Object.is(v, values[i])) assert.fail(`${info.name}[${i}]: ${v}, numpy reads ${values[i]}`);
        });
        const rounded = tensor.warnings.filter((w) => w.includes('rounded'));
        assert.equal(rounded.length, want[info.name].roundedCount > 0 ? 1 : 0, info.name);
        if (rounded.length > 0) assert.match(rounded[0], new RegExp(`^${want[info.name].roundedCount} u?int64 values? of '${info.name}'`));

        const streamed: number[] = [];
        const chunks = file.readChunks!(info.name);
        for await (const chunk of chunks) {
          assert.equal(chunk.start, streamed.length);
          streamed.push(...chunk.values);
        }
        assert.deepEqual(streamed, [...tensor.values], `${info.name} streamed`);
        assert.deepEqual(chunks.warnings, tensor.warnings, `${info.name} streamed warnings`);
      }
    });
  }
});
