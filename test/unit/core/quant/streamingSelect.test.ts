import { strict as assert } from 'node:assert';
import seedrandom from 'seedrandom';
import { StreamingSelection } from '../../../../src/core/quant/streamingSelect';

/** Runs a whole selection over `values` fed in chunks of `chunk`, and returns the passes it took. */
function select(values: Float64Array, ranks: number[], collectMax?: number, chunk = 1000): { got: number[]; passes: number } {
  const s = new StreamingSelection(collectMax);
  const feed = (add: (v: Float64Array) => void) => {
    for (let i = 0; i < values.length; i += chunk) add(values.slice(i, i + chunk));
  };
  feed((v) => s.firstPass.add(v));
  s.selectRanks(ranks);
  let passes = 1;
  for (let pass = s.nextPass(); pass; pass = s.nextPass()) {
    feed((v) => pass.add(v));
    passes++;
  }
  return { got: ranks.map((r) => s.valueAt(r)), passes };
}

function sortedFinite(values: Float64Array): Float64Array {
  return values.filter((v) => Number.isFinite(v)).sort();
}

describe('StreamingSelection', function () {
  const rng = seedrandom('streaming-select');

  it('finds every rank of normal data as a sort does, in two passes', function () {
    const values = Float64Array.from({ length: 20000 }, () => (rng() - 0.5) * 10 ** Math.floor(rng() * 6 - 3));
    const sorted = sortedFinite(values);
    const ranks = [0, 1, 777, 5000, 10000, 14999, 19998, 19999];
    const { got, passes } = select(values, ranks);
    assert.deepEqual(got, ranks.map((r) => sorted[r]));
    assert.equal(passes, 2);
  });

  it('narrows by every digit down to the full key when buckets stay large, -0 before +0', function () {
    const pool = [-0, 0, 1, 1 + 2 ** -52, -1, 5e-324, -5e-324, 2 ** 1000];
    const values = Float64Array.from({ length: 5000 }, () => pool[Math.floor(rng() * pool.length)]);
    values[17] = NaN;
    values[18] = Infinity;
    const sorted = sortedFinite(values);
    const ranks = Array.from({ length: 40 }, (_, i) => Math.floor((i * (sorted.length - 1)) / 39));
    const { got, passes } = select(values, ranks, 4);
    got.forEach((v, i) => assert.ok(Object.is(v, sorted[ranks[i]]), `rank ${ranks[i]}: ${v} vs ${sorted[ranks[i]]}`));
    assert.equal(passes, 4);
  });

  it('decides every rank in the first pass when no value has a bit below the first digit (float16 data)', function () {
    const f16 = new Float64Array(new Float32Array(Uint32Array.from({ length: 30000 }, () => (Math.floor(rng() * 0x10000) << 16) & 0xc7ffe000).buffer));
    const values = f16.map((v) => (Number.isFinite(v) ? v : 0));
    const sorted = sortedFinite(values);
    const ranks = [0, 7499, 7500, 22499, 22500, 29999];
    const { got, passes } = select(values, ranks);
    got.forEach((v, i) => assert.ok(Object.is(v, sorted[ranks[i]]), `rank ${ranks[i]}: ${v} vs ${sorted[ranks[i]]}`));
    assert.equal(passes, 1);
  });

  it('collects small buckets at once, whatever the chunking', function () {
    const values = Float64Array.from({ length: 3001 }, () => Math.fround(rng() * 2 - 1));
    const sorted = sortedFinite(values);
    for (const chunk of [1, 7, 3001]) assert.deepEqual(select(values, [0, 1500, 3000], undefined, chunk).got, [sorted[0], sorted[1500], sorted[3000]]);
  });

  it('refuses a rank outside the finite values', function () {
    assert.throws(() => select(Float64Array.of(1, NaN), [1]), /Rank 1 outside 0\.\.0/);
  });
});
