import { CancelledError } from '../errors';
import type { WorkControl } from '../formats/tensorFile';
import { Float32RadixSorter, warmRounds, type SortHelper } from '../search/radixSort';
import { rememberSortedIndex, SortedIndexBuilder } from '../search/sortedIndex';
import { requireFinite } from './finiteValues';
import { PreparedValues } from './preparedValues';
import type { SummaryStats } from './summaryStats';

/** Memory a host gives for a streamed tensor's sorted copy: at least as many ints as elements, and maybe a thread to help sort. */
export interface SortMemory {
  readonly values: Int32Array;
  readonly helper?: SortHelper;
}

/** A streamed tensor made ready for searches, with the summary statistics the passes found. */
export interface StreamedValues {
  readonly prepared: PreparedValues;
  readonly stats: SummaryStats;
}

/**
 * Prepares a float32 tensor for searches from two passes over its elements in element order, without
 * ever holding them: the only large allocation is the sorted copy (4 bytes a value), so a 10^7-element
 * tensor costs 40 MB of fresh memory where reading it (float64 values) and sorting a copy cost 200 MB.
 *
 * Pass one counts NaN and ±Inf, finds min and max, sums the values (summaryStats's first pass) and counts
 * the radix sort's first digit; pass two sums the squared deviations from the mean (summaryStats's second
 * pass) and scatters the values into their buckets; `finish` sorts the buckets and builds the block sums
 * of the sorted index bucket by bucket while each is in cache. Every figure equals, bit for bit, what
 * `new PreparedValues(values)` and `summaryStats` give on the same elements read whole: the same
 * comparisons and the same compensated sums, in the same order.
 */
export class Float32StreamPreparer {
  private readonly sorter = new Float32RadixSorter();
  private elements = 0;
  /** Pass one's running figures (see firstPass) and pass two's (see secondPass). */
  private readonly firstState = Float64Array.of(0, 0, 0, Infinity, -Infinity, 0, 0);
  private readonly secondState = Float64Array.of(NaN, 0, 0);
  private pass = 1;

  /** `sortMemory`, when given, holds the sorted values and may bring a helper thread (see prepareSearchSubject's options). */
  constructor(private readonly tensorName: string, private readonly sortMemory?: SortMemory) {
    warmStreamKernels();
  }

  /** Pass one over a chunk of float32 bits, chunks in element order. */
  first(bits: Int32Array): void {
    if (this.pass !== 1) throw new Error('Float32StreamPreparer.first after the first pass');
    firstPass(new Float32Array(bits.buffer, bits.byteOffset, bits.length), this.firstState);
    this.elements += bits.length;
    this.sorter.count(bits);
  }

  /** Ends pass one: refuses a tensor with no finite value, as PreparedValues does. */
  beginSecondPass(): void {
    const finite = this.sorter.length;
    requireFinite({ values: { length: finite } }, this.elements, this.tensorName);
    const f = this.firstState;
    this.secondState[0] = (f[5] + f[6]) / finite;
    this.sorter.begin(this.sortMemory?.values);
    this.pass = 2;
  }

  /** Pass two over a chunk, the same chunks as pass one (in element order, for the deviation sum). */
  second(bits: Int32Array): void {
    if (this.pass !== 2) throw new Error('Float32StreamPreparer.second outside the second pass');
    secondPass(new Float32Array(bits.buffer, bits.byteOffset, bits.length), this.secondState);
    this.sorter.scatter(bits);
  }

  /** Sorts, builds the sorted index alongside, and returns the prepared values and their statistics. */
  finish(control: WorkControl = {}): StreamedValues {
    if (this.pass !== 2) throw new Error('Float32StreamPreparer.finish before the second pass');
    this.pass = 3;
    let builder: SortedIndexBuilder | undefined;
    const sorted = this.sorter.finish(control, (values, _from, to) => {
      builder ??= new SortedIndexBuilder(values, control);
      builder.consume(to);
    }, this.sortMemory?.helper);
    if (control.signal?.aborted) throw new CancelledError();
    builder ??= new SortedIndexBuilder(sorted, control);
    builder.consume(sorted.length);
    const index = builder.finish();
    const [nanCount, posInfCount, negInfCount, min, max] = this.firstState;
    const prepared = new PreparedValues(sorted, this.tensorName, sorted, { nanCount, posInfCount, negInfCount, min, max });
    rememberSortedIndex(prepared, index);
    const [mean, dev, devC] = this.secondState;
    return { prepared, stats: { min, max, mean, std: Math.sqrt((dev + devC) / sorted.length) } };
  }
}

/**
 * Pass one over a chunk: `state` holds [NaN count, +Inf count, -Inf count, min, max, sum, compensation],
 * the comparisons of PreparedValues and the Neumaier sum of CompensatedSum written out.
 */
function firstPass(values: Float32Array, state: Float64Array): void {
  let nanCount = state[0];
  let posInfCount = state[1];
  let negInfCount = state[2];
  let min = state[3];
  let max = state[4];
  let sum = state[5];
  let sumC = state[6];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) nanCount++;
    else if (v === Infinity) posInfCount++;
    else if (v === -Infinity) negInfCount++;
    else {
      if (v < min) min = v;
      if (v > max) max = v;
      const t = sum + v;
      if (Math.abs(sum) >= Math.abs(v)) sumC += (sum - t) + v;
      else sumC += (v - t) + sum;
      sum = t;
    }
  }
  state[0] = nanCount;
  state[1] = posInfCount;
  state[2] = negInfCount;
  state[3] = min;
  state[4] = max;
  state[5] = sum;
  state[6] = sumC;
}

/** Pass two over a chunk: `state` holds [mean, deviation sum, compensation], summaryStats's second sum written out. */
function secondPass(values: Float32Array, state: Float64Array): void {
  const mean = state[0];
  let dev = state[1];
  let devC = state[2];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) continue;
    const d = v - mean;
    const p = d * d;
    const t = dev + p;
    if (Math.abs(dev) >= Math.abs(p)) devC += (dev - t) + p;
    else devC += (p - t) + dev;
    dev = t;
  }
  state[1] = dev;
  state[2] = devC;
}

let streamKernelsWarm = false;

/**
 * Runs both passes once on a few values (NaN and ±Inf among them) so that they have type feedback for
 * the code after their loops before the first long chunk: see warmFloat32Kernels in radixSort.ts.
 */
function warmStreamKernels(): void {
  if (streamKernelsWarm) return;
  streamKernelsWarm = true;
  const values = Float32Array.of(1, NaN, -2, Infinity, 0.5, -Infinity, 3);
  for (let round = 0; round < warmRounds; round++) {
    firstPass(values, Float64Array.of(0, 0, 0, Infinity, -Infinity, 0, 0));
    secondPass(values, Float64Array.of(0.5, 0, 0));
  }
}
