import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** test/fixtures: the format corpora and their table of cases. */
export const fixturesDir = join(__dirname, '..', 'fixtures');

/**
 * A row of test/fixtures/cases.json: a file that lists (and reads) as `dtype` and `shape`, one that
 * fails to open with the exact message `error`, or one that lists and then fails to read with
 * `readError`. `tensor` names the tensor a row describes in a file of several; `tensors` is the
 * whole listing of such a file, in file order.
 */
export interface FormatCase {
  readonly file: string;
  readonly tensor?: string;
  readonly dtype?: string;
  readonly shape?: readonly number[];
  readonly tensors?: readonly { name: string; dtype: string; shape: number[] }[];
  readonly error?: string;
  readonly readError?: string;
  readonly note?: string;
}

/** Every row of test/fixtures/cases.json, in table order. */
export const formatCases: readonly FormatCase[] = JSON.parse(readFileSync(join(fixturesDir, 'cases.json'), 'utf8')) as FormatCase[];
