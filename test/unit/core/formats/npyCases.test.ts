import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { memoryByteSource } from '../../../../src/core/byteSource';
import { TensorFormatError } from '../../../../src/core/errors';
import { openNpy } from '../../../../src/core/formats/npy';

/** A row of test/fixtures/cases.json: a file that opens to one listing, or fails with one exact message. */
type FormatCase =
  | { readonly file: string; readonly dtype: string; readonly shape: readonly number[]; readonly error?: undefined }
  | { readonly file: string; readonly error: string };

/** Values numpy.load reads from each valid file, as float64 in C order; test/fixtures/npy/generate.py writes it. */
type ExpectedValues = Record<string, { readonly values: readonly (number | 'NaN' | 'Infinity' | '-Infinity')[]; readonly roundedCount: number }>;

const fixtures = join(__dirname, '../../../fixtures');
const cases = (JSON.parse(readFileSync(join(fixtures, 'cases.json'), 'utf8')) as FormatCase[]).filter((c) => c.file.startsWith('npy/'));
const expected = JSON.parse(readFileSync(join(fixtures, 'npy/expected.json'), 'utf8')) as ExpectedValues;

function fromJson(v: number | string): number {
  return typeof v === 'number' ? v : Number(v);
}

/** Opens a fixture as the CLI does, by its base name, and reads every tensor it lists. */
async function openAndRead(file: string) {
  const source = memoryByteSource(readFileSync(join(fixtures, file)), basename(file));
  const opened = await openNpy(source);
  const tensors = [];
  for (const info of opened.tensors) tensors.push(await opened.read(info.name));
  return { opened, tensors };
}

describe('.npy format cases (test/fixtures/cases.json)', function () {
  it('has valid and malformed .npy cases', function () {
    assert.ok(cases.some((c) => c.error === undefined) && cases.some((c) => c.error !== undefined));
  });

  for (const c of cases) {
    if (c.error !== undefined) {
      it(`${c.file} fails: ${c.error}`, async function () {
        await assert.rejects(openAndRead(c.file), (err: unknown) => {
          assert.ok(err instanceof TensorFormatError, `expected a TensorFormatError, got ${String(err)}`);
          assert.equal(err.message, c.error);
          return true;
        });
      });
      continue;
    }
    it(`${c.file} reads as ${c.dtype} ${JSON.stringify(c.shape)}, values bit for bit as numpy`, async function () {
      const { opened, tensors } = await openAndRead(c.file);
      assert.equal(opened.format, 'npy');
      assert.equal(opened.tensors.length, 1);
      assert.equal(opened.tensors[0].dtype, c.dtype);
      assert.deepEqual(opened.tensors[0].shape, c.shape);
      const tensor = tensors[0];
      const want = expected[basename(c.file)];
      assert.ok(want, `expected.json has ${c.file}`);
      assert.equal(tensor.values.length, want.values.length);
      assert.equal(tensor.count, want.values.length);
      tensor.values.forEach((v, i) => {
        const w = fromJson(want.values[i]);
        if (!Object.is(v, w)) assert.fail(`element ${i}: ${v}, numpy reads ${w}`);
      });
      const roundedWarnings = tensor.warnings.filter((w) => w.includes('rounded'));
      if (want.roundedCount === 0) assert.deepEqual(roundedWarnings, []);
      else assert.match(roundedWarnings.join('\n'), new RegExp(`^${want.roundedCount} u?int64 values? of `));
    });
  }
});
