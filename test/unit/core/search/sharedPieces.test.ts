import { strict as assert } from 'node:assert';
import { CancelledError } from '../../../../src/core/errors';
import { BucketedValues } from '../../../../src/core/search/bucketedValues';
import { keyOfFloat32, valueOfKey } from '../../../../src/core/search/floatKeys';
import type { PieceSums } from '../../../../src/core/search/pieceSums';
import { Float32RadixSorter } from '../../../../src/core/search/radixSort';
import { helperPieceChunks, pieceSums, sumClaimedPieces, type PiecesHelper, type SharedPiecesJob } from '../../../../src/core/search/sharedPieces';
import { TensorGenerator } from './tensorGenerators';

/** Enough values for the pass to be shared (a million and more). */
const n = 1_200_000;

/** Float32 values left in their radix buckets as a streamed read leaves them, in shared memory when a helper is to read them. */
function bucketize(values: Float32Array, helper?: PiecesHelper): BucketedValues {
  const bits = new Int32Array(values.buffer);
  const sorter = new Float32RadixSorter();
  sorter.count(bits);
  sorter.beginLow16(helper ? new Uint16Array(new SharedArrayBuffer(values.length * 2)) : undefined);
  sorter.scatterLow16(bits);
  const { low, starts } = sorter.low16Buckets();
  return new BucketedValues(low, starts, helper);
}

/** Sorted distinct keys of `count` values spread over [lo, hi]. */
function thresholdsOver(lo: number, hi: number, count: number): Int32Array {
  const keys = new Set<number>();
  for (let j = 0; j < count; j++) keys.add(keyOfFloat32(lo + ((hi - lo) * j) / count));
  return Int32Array.from([...keys].sort((a, b) => a - b));
}

/** Counts and keys exactly; the double-double sums to far below the contract's 1e-12 (the tables join in another order). */
function assertSameSums(a: PieceSums, b: PieceSums, label: string): void {
  assert.equal(a.m, b.m);
  assert.deepStrictEqual(a.count, b.count, `${label}: counts`);
  assert.deepStrictEqual(a.minKey.filter((_, p) => b.count[p + 1] > b.count[p]), b.minKey.filter((_, p) => b.count[p + 1] > b.count[p]), `${label}: smallest keys`);
  assert.deepStrictEqual(a.maxKey.filter((_, p) => b.count[p + 1] > b.count[p]), b.maxKey.filter((_, p) => b.count[p + 1] > b.count[p]), `${label}: largest keys`);
  for (let i = 0; i < a.count.length; i++) {
    const s = a.sumHi[i] + a.sumLo[i];
    const t = b.sumHi[i] + b.sumLo[i];
    assert.ok(Math.abs(s - t) <= 1e-15 * Math.max(1, b.absTotal), `${label}: Σx of prefix ${i}: ${s} vs ${t}`);
    const q = a.squaresHi[i] + a.squaresLo[i];
    const r = b.squaresHi[i] + b.squaresLo[i];
    assert.ok(Math.abs(q - r) <= 1e-15 * b.squaresTotal, `${label}: Σx² of prefix ${i}: ${q} vs ${r}`);
  }
}

describe('the pass over the buckets shared with a helper', function () {
  this.timeout(60_000);
  const g = new TensorGenerator('shared-pieces');
  const values = Float32Array.from(g.tensor(n, 'uniformOutliers').values);
  const thresholds = thresholdsOver(-80, 100, 20_000);
  const alone = pieceSums(bucketize(values), thresholds);

  it('gives the sums of the pass alone when the helper sums every chunk (it claims them first)', function () {
    let job: SharedPiecesJob | undefined;
    const helper: PiecesHelper = {
      sumPieces: (j) => {
        job = j;
        sumClaimedPieces(j);
      },
    };
    const shared = pieceSums(bucketize(values, helper), thresholds);
    assert.ok(job, 'the job was offered');
    assert.equal(helperPieceChunks(job), job.chunks.length - 1, 'the helper summed every chunk');
    assertSameSums(shared, alone, 'helper alone');
  });

  it('gives the same sums when the helper never takes the job, and when it fails holding a chunk (this thread takes over)', function () {
    const idle = pieceSums(bucketize(values, { sumPieces: () => undefined }), thresholds);
    assertSameSums(idle, alone, 'idle helper');
    // A helper that claims a chunk and fails at once: it stops with the chunk unsummed.
    let failed = false;
    const failing: PiecesHelper = {
      sumPieces: (j) => {
        try {
          sumClaimedPieces({ ...j, low: null as unknown as Uint16Array });
        } catch {
          failed = true;
        }
      },
    };
    const seen: number[] = [];
    const takenOver = pieceSums(bucketize(values, failing), thresholds, { onProgress: (f) => seen.push(f) });
    assert.ok(failed, 'the helper failed');
    assertSameSums(takenOver, alone, 'taken over');
    assert.ok(seen.every((f, i) => i === 0 || f >= seen[i - 1]) && seen[seen.length - 1] === 1, 'progress runs forward, to 1, through the take-over');
  });

  it('stops at once when cancelled, and tells the helper to quit; progress only runs forward, to 1', function () {
    let job: SharedPiecesJob | undefined;
    const controller = new AbortController();
    const seen: number[] = [];
    const bucketed = bucketize(values, { sumPieces: (j) => (job = j) });
    pieceSums(bucketed, thresholds, { onProgress: (f) => seen.push(f) });
    assert.ok(seen.length > 2 && seen.every((f, i) => i === 0 || f >= seen[i - 1]), 'forward');
    assert.equal(seen[seen.length - 1], 1);
    assert.throws(() => pieceSums(bucketed, thresholds, {
      signal: controller.signal,
      onProgress: (f) => {
        if (f > 0.3) controller.abort();
      },
    }), CancelledError);
    assert.ok(job);
    // The job's control slots: the next chunk to claim (0) and the quit flag (2).
    assert.equal(Atomics.load(job.control, 2), 1, 'the quit flag is set');
    assert.ok(Atomics.load(job.control, 0) < job.chunks.length - 1, 'chunks were left unclaimed');
  });
});

describe('the pass over the buckets alone', function () {
  it('gives each piece the count, sums, smallest and largest key of its own values, bucket after bucket', function () {
    const g = new TensorGenerator('piece-extremes');
    for (let round = 0; round < 20; round++) {
      // A few buckets of either sign, each with its values' low 16 bits in a stretch of its own, and few
      // thresholds: pieces span whole buckets, where a key left over from the bucket before would show.
      const buckets = Array.from({ length: g.pick([1, 2, 3, 6]) }, () => {
        const a = Math.floor(g.uniform() * 0x10000);
        const b = Math.min(0xffff, a + Math.floor(g.uniform() * 0x4000));
        return { top: g.pick([0x3f80, 0x3f81, 0x3f82, 0x4000, 0xbf80, 0xbf81, 0xc000]), a, b };
      });
      const bits = Int32Array.from({ length: g.pick([1, 7, 300, 5000]) }, () => {
        const { top, a, b } = g.pick(buckets);
        return (top << 16) | (a + Math.floor(g.uniform() * (b - a + 1)));
      });
      const values = new Float32Array(bits.buffer);
      const keys = Int32Array.from(values, (x) => keyOfFloat32(x));
      const cuts = Int32Array.from(new Set(Array.from({ length: g.pick([0, 1, 5, 40]) }, () => g.pick([...keys]) + g.pick([0, 1, 7]))));
      cuts.sort();
      const sums = pieceSums(bucketize(values), cuts);
      for (let p = 0; p <= cuts.length; p++) {
        const inPiece = keys.filter((k) => (p === 0 || k >= cuts[p - 1]) && (p === cuts.length || k < cuts[p]));
        assert.equal(sums.count[p + 1] - sums.count[p], inPiece.length, `round ${round} piece ${p}: count`);
        // Values taken in pairs, odd spans included: each value summed once, into its own piece.
        const own = Array.from(inPiece, (k) => valueOfKey(k));
        const sumX = sums.sumHi[p + 1] - sums.sumHi[p] + (sums.sumLo[p + 1] - sums.sumLo[p]);
        const sumX2 = sums.squaresHi[p + 1] - sums.squaresHi[p] + (sums.squaresLo[p + 1] - sums.squaresLo[p]);
        const scale = own.reduce((a, x) => a + Math.abs(x), 0);
        assert.ok(Math.abs(sumX - own.reduce((a, x) => a + x, 0)) <= 1e-12 * scale, `round ${round} piece ${p}: Σx`);
        assert.ok(Math.abs(sumX2 - own.reduce((a, x) => a + x * x, 0)) <= 1e-12 * own.reduce((a, x) => a + x * x, 0), `round ${round} piece ${p}: Σx²`);
        if (inPiece.length === 0) continue;
        assert.equal(sums.minKey[p], Math.min(...inPiece), `round ${round} piece ${p}: smallest key`);
        assert.equal(sums.maxKey[p], Math.max(...inPiece), `round ${round} piece ${p}: largest key`);
      }
    }
  });
});
