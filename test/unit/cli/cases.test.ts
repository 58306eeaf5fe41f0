import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { runClipwise } from '../../helpers/cli';
import { fixturesDir as fixtures, formatCases as cases, type FormatCase } from '../../helpers/formatCases';

describe('clipwise info over the format cases table', function () {
  // One real process per case: about 0.2 s each.
  this.timeout(180_000);

  // The readers' own tests check every readable case in-process; here a few per format prove the CLI's wiring.
  it('lists readable cases of every format with their dtype and shape', function () {
    const perFormat = new Map<string, FormatCase[]>();
    for (const c of cases.filter((c) => c.error === undefined)) {
      const format = c.file.split('/')[0];
      perFormat.set(format, [...(perFormat.get(format) ?? []), c]);
    }
    const chosen = [...perFormat.values()].flatMap((list) => list.filter((_, i) => i % 12 === 0 || list[i].tensor !== undefined));
    for (const c of chosen) {
      const r = runClipwise(['info', join(fixtures, c.file), '--json']);
      assert.equal(r.status, 0, `${c.file}: ${r.stderr}`);
      const listing = JSON.parse(r.stdout) as { tensors: Array<{ name: string; dtype: string; shape: number[] }> };
      const t = c.tensor === undefined ? listing.tensors[0] : listing.tensors.find((x) => x.name === c.tensor);
      assert.ok(t, `${c.file}: no tensor ${c.tensor}`);
      assert.equal(t.dtype, c.dtype, c.file);
      assert.deepEqual(t.shape, c.shape, c.file);
    }
  });

  it('refuses every malformed case with its exact message on one stderr line and exit 2', function () {
    const bad = cases.filter((c) => c.error !== undefined);
    assert.ok(bad.length > 20);
    for (const c of bad) {
      const r = runClipwise(['info', join(fixtures, c.file)]);
      assert.equal(r.status, 2, `${c.file} exited ${r.status}`);
      assert.equal(r.stdout, '');
      assert.ok(r.stderr.includes(c.error as string), `${c.file}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});
