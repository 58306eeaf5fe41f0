import { CancelledError } from '../errors';
import type { WorkControl } from '../formats/tensorFile';
import { float32ChunkBytes } from '../formats/tensorChunks';
import { Float32RadixSorter, type SortHelper } from '../search/radixSort';
import { rememberMeasureHelper, type MeasureHelper } from '../search/sharedMeasure';
import type { PiecesHelper } from '../search/sharedPieces';
import { SharedPasses, type PassHelper } from '../search/sharedPasses';
import { bucketedMoments } from '../search/bucketedMeasure';
import { BucketedValues, rememberBucketedValues } from '../search/bucketedValues';
import { rememberSortedIndex, SortedIndexBuilder } from '../search/sortedIndex';
import { requireFinite } from './finiteValues';
import { PreparedValues } from './preparedValues';
import { statsFromMoments, type SummaryStats } from './summaryStats';

/**
 * Memory a host gives for a streamed tensor's sorted copy: at least as many ints as elements, and maybe a
 * thread that takes part of the scatter pass (`passHelper`, when `values` is shared memory), of the sort
 * and of the searches' candidates. Given, the tensor is sorted when the passes end; not given, it stays
 * in its buckets (see Float32StreamPreparer).
 */
export interface SortMemory {
  readonly values: Int32Array;
  readonly helper?: SortHelper;
  readonly passHelper?: PassHelper;
  /** Measures ranges beside the main thread in searches on the prepared tensor (its index is then built in shared memory). */
  readonly measureHelper?: MeasureHelper;
}

/**
 * Memory a host gives for a streamed tensor left in its buckets (no SortMemory): shared memory for the
 * values' low 16 bits, at least as many as elements, and a thread that takes part in the scatter pass and
 * in the passes over the buckets (pieceSums).
 */
export interface BucketMemory {
  readonly low: Uint16Array;
  readonly piecesHelper: PiecesHelper;
  /** Takes part in the scatter pass, as SortMemory's does (its part goes to `low`, shared memory). */
  readonly passHelper?: PassHelper;
}

/** A streamed tensor made ready for searches, with the summary statistics the passes found. */
export interface StreamedValues {
  readonly prepared: PreparedValues;
  /** Summed when first read: a grid search over the buckets sums every value anyway. */
  readonly stats: SummaryStats;
}

/**
 * Prepares a float32 tensor for searches from two passes over its elements in element order, without
 * ever holding them: the only large allocation is the radix sort's copy, 2 bytes a value (4 for a search
 * that sorts), so a 10^7-element tensor costs 20 MB of fresh memory where reading it (float64 values)
 * and sorting a copy cost 200 MB.
 *
 * Pass one counts NaN and ±Inf and the radix sort's first digit; pass two scatters the values into their
 * buckets (a helper thread, when the host gives one, scatters every other chunk). Without sort memory,
 * `finish` stops there (BucketedValues): a grid search measures its ranges
 * bucket by bucket, min, max and the percentiles sort only the buckets that hold them, and the mean and
 * std come from exact bucket sums of x and x² (statsFromMoments); the values and their sort are made for
 * a search that needs them. The figures equal those of `new PreparedValues(values)` and `summaryStats`
 * on the same elements read whole (their moment sums agree far below the last bit; a zero min or max is
 * +0 in both, see unsignedZero).
 */
export class Float32StreamPreparer {
  private readonly sorter = new Float32RadixSorter();
  private elements = 0;
  private pass = 1;
  /** The scatter pass shared with a helper thread (pass one counts its part apart), when the host gave one. */
  private readonly passes: SharedPasses | undefined;

  /**
   * `sortMemory`, when given, holds the sorted values and may bring a helper thread; else `bucketMemory`,
   * when given, holds the buckets and brings one (see prepareSearchSubject's options).
   */
  constructor(private readonly tensorName: string, private readonly sortMemory?: SortMemory, private readonly bucketMemory?: BucketMemory) {
    const values = sortMemory?.values;
    const low = bucketMemory?.low;
    if (sortMemory?.passHelper && values && values.buffer instanceof SharedArrayBuffer && values.byteOffset === 0) {
      this.passes = new SharedPasses(SharedPasses.createJob(values.buffer, float32ChunkBytes / 4), sortMemory.passHelper);
    } else if (!sortMemory && bucketMemory?.passHelper && low && low.buffer instanceof SharedArrayBuffer && low.byteOffset === 0) {
      this.passes = new SharedPasses(SharedPasses.createJob(low.buffer, float32ChunkBytes / 4, true), bucketMemory.passHelper);
    }
  }

  /** Pass one over a chunk of float32 bits, chunks in element order. */
  first(bits: Int32Array): void {
    if (this.pass !== 1) throw new Error('Float32StreamPreparer.first after the first pass');
    this.elements += bits.length;
    this.sorter.count(bits, 0, bits.length, this.passes?.countsApart(bits) ?? false);
  }

  /** Ends pass one: refuses a tensor with no finite value, as PreparedValues does. */
  beginSecondPass(): void {
    requireFinite({ values: { length: this.sorter.length } }, this.elements, this.tensorName);
    if (this.sortMemory) this.sorter.begin(this.sortMemory.values);
    else this.sorter.beginLow16(this.bucketMemory?.low);
    if (this.passes) this.passes.setHelperNext(this.sorter.otherNext());
    this.pass = 2;
  }

  /** Pass two over a chunk: the same chunks as pass one, in the same order when a helper shares the passes. */
  second(bits: Int32Array): void {
    if (this.pass !== 2) throw new Error('Float32StreamPreparer.second outside the second pass');
    if (this.passes?.scatterHelperPart(bits)) return;
    if (this.sortMemory) this.sorter.scatter(bits);
    else this.sorter.scatterLow16(bits);
  }

  /** Lets a helper thread go when the passes are abandoned (an error, a cancel); harmless after finish. */
  release(): void {
    this.passes?.release();
  }

  /**
   * Ends the passes. Without sort memory from the host, the values stay in their buckets as their low 16
   * bits (BucketedValues), which is all a grid search needs: min, max and the order statistics sort only
   * the buckets that hold them, the mean and std wait for the sums a grid search takes anyway, and the
   * values themselves and their sort are made only for a search that needs them. With sort memory (a host
   * whose helper thread shares the sort: the searches that sort), the buckets are sorted now, the sorted
   * index built beside them.
   */
  finish(control: WorkControl = {}): StreamedValues {
    if (this.pass !== 2) throw new Error('Float32StreamPreparer.finish before the second pass');
    this.pass = 3;
    const [nanCount, posInfCount, negInfCount] = this.sorter.nonFiniteCounts;
    if (this.sortMemory) {
      if (this.passes) this.sorter.checkOtherScatter(this.passes.close());
      return this.sortAndIndex({ nanCount, posInfCount, negInfCount }, control);
    }
    if (this.passes) this.sorter.checkOtherScatter(this.passes.close());
    const { low, starts } = this.sorter.low16Buckets();
    const bucketed = new BucketedValues(low, starts, this.bucketMemory?.piecesHelper);
    const n = bucketed.n;
    const facts = { nanCount, posInfCount, negInfCount, min: bucketed.valueAtRank(0), max: bucketed.valueAtRank(n - 1) };
    const prepared = new PreparedValues(bucketed, this.tensorName, undefined, facts);
    rememberBucketedValues(prepared, bucketed);
    const { min, max } = prepared;
    let stats: SummaryStats | undefined;
    return {
      prepared,
      get stats() {
        stats ??= statsFromMoments(bucketed.moments ?? bucketedMoments(bucketed), n, min, max);
        return stats;
      },
    };
  }

  /** Sorts every bucket in place (with the host's helper thread), building the sorted index alongside. */
  private sortAndIndex(counts: { nanCount: number; posInfCount: number; negInfCount: number }, control: WorkControl): StreamedValues {
    const memory = this.sortMemory as SortMemory;
    // Shared only when another thread can read it: the sorted values themselves are in shared memory.
    const shareIndex = memory.measureHelper !== undefined && memory.values.buffer instanceof SharedArrayBuffer;
    let builder: SortedIndexBuilder | undefined;
    const sorted = this.sorter.finish(control, (values, _from, to) => {
      builder ??= new SortedIndexBuilder(values, control, shareIndex);
      builder.consume(to);
    }, memory.helper);
    if (control.signal?.aborted) throw new CancelledError();
    builder ??= new SortedIndexBuilder(sorted, control, shareIndex);
    builder.consume(sorted.length);
    const index = builder.finish();
    const prepared = new PreparedValues(sorted, this.tensorName, sorted, { ...counts, min: sorted[0], max: sorted[sorted.length - 1] });
    rememberSortedIndex(prepared, index);
    if (shareIndex && memory.measureHelper) rememberMeasureHelper(prepared, memory.measureHelper);
    return { prepared, stats: statsFromMoments(index.moments, sorted.length, prepared.min, prepared.max) };
  }
}
