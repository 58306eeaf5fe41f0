import { scatterKeys, scatterLowBits } from './radixSort';

/** Chunk slots between the reading thread and the helper: one being filled while the helper works on the other. */
const slotCount = 2;
/** Slot states. */
const empty = 0;
const scatterIt = 1;
/** Flags after the slot states in `control`: the helper is taking chunks; it has stopped; it is to stop. */
const aliveAt = slotCount;
const stoppedAt = slotCount + 1;
const quitAt = slotCount + 2;
/** Then the count of chunks the helper has scattered. */
const doneAt = slotCount + 3;
/** How long either side sleeps at most before it looks again (ms): a stopped peer is seen within it. */
const waitSliceMs = 50;
/** Pages of the sort's memory faulted in per idle turn: about 3 ms at the worst measured fault cost. */
const faultSlicePages = 256;

/**
 * What a helper thread needs to take chunks of a streamed float32 sort's scatter pass (see SharedPasses):
 * every buffer is shared memory, so the job can be posted to a worker as it is.
 */
export interface SharedPassJob {
  /** slotCount slots of slotLength int32 each: chunks of float32 bits copied in by the reading thread. */
  readonly slots: SharedArrayBuffer;
  readonly slotLength: number;
  /** Int32: each slot's state (empty, scatter it), then the alive, stopped and quit flags, and the helper's chunk count. */
  readonly control: SharedArrayBuffer;
  /** Int32: each slot's length. */
  readonly lengths: SharedArrayBuffer;
  /** Int32 (65536): the next write position in each bucket of the helper's part. */
  readonly next: SharedArrayBuffer;
  /** The sort's memory, which the scatter writes into. */
  readonly values: SharedArrayBuffer;
  /** True when `values` holds each value's low 16 bits (Float32RadixSorter.beginLow16), else its 32. */
  readonly low16: boolean;
}

/** A thread that works through a SharedPassJob (helpWithPasses) once it is posted. */
export interface PassHelper {
  takePasses(job: SharedPassJob): void;
}

/**
 * The helper's side: scatters the chunks put in the slots, in turn, with the helper part's positions,
 * and frees each slot, until told to quit. Whenever no chunk waits, it faults in the next pages of the
 * sort's memory (one int a page: Atomics.add of 0 writes, so the page is faulted in, yet never changes a
 * value another thread may have put there), so that the scatter's writes, by either thread, find them
 * ready: on the virtual machines measured a fresh page costs about 12 µs.
 */
export function helpWithPasses(job: SharedPassJob): void {
  const control = new Int32Array(job.control);
  const lengths = new Int32Array(job.lengths);
  const next = new Int32Array(job.next);
  const out = job.low16 ? new Uint16Array(job.values) : new Int32Array(job.values);
  const pageElements = 4096 / out.BYTES_PER_ELEMENT;
  const slots: Int32Array[] = [];
  for (let s = 0; s < slotCount; s++) slots.push(new Int32Array(job.slots, s * job.slotLength * 4, job.slotLength));
  let faulted = 0;
  Atomics.store(control, aliveAt, 1);
  try {
    for (let turn = 0; ; turn++) {
      const s = turn % slotCount;
      let state = Atomics.load(control, s);
      while (state === empty) {
        if (Atomics.load(control, quitAt) === 1) return;
        if (faulted < out.length) {
          const end = Math.min(out.length, faulted + faultSlicePages * pageElements);
          for (let i = faulted; i < end; i += pageElements) Atomics.add(out, i, 0);
          faulted = end;
        } else {
          Atomics.wait(control, s, empty, waitSliceMs);
        }
        state = Atomics.load(control, s);
      }
      if (out instanceof Uint16Array) scatterLowBits(slots[s], 0, lengths[s], next, out);
      else scatterKeys(slots[s], 0, lengths[s], next, out);
      Atomics.add(control, doneAt, 1);
      Atomics.store(control, s, empty);
      Atomics.notify(control, s);
    }
  } finally {
    Atomics.store(control, stoppedAt, 1);
    Atomics.notify(control, stoppedAt);
  }
}

/** True once the helper has taken the job and is taking chunks (for tests: a chunk given now goes to it). */
export function helperTakingPasses(job: SharedPassJob): boolean {
  return Atomics.load(new Int32Array(job.control), aliveAt) === 1;
}

/** Chunks the helper has scattered for a job so far (for tests and benchmarks). */
export function helperChunks(job: SharedPassJob): number {
  return Atomics.load(new Int32Array(job.control), doneAt);
}

/**
 * The reading thread's side of a streamed sort whose scatter pass a helper thread shares. Pass one counts
 * every other chunk apart (the helper part) — counting is light and the helper is still starting then;
 * pass two gives the helper part's chunks to the helper, copied into a slot (a memcpy costs a fraction of
 * a scatter), while this thread scatters its own part. Each bucket holds this thread's part first, then
 * the helper part, so the two never write to the same place. When the helper is not taking chunks yet,
 * or has stopped, and none is in its hands, this thread scatters a helper-part chunk itself with the same
 * positions: the result does not depend on who did the work.
 */
export class SharedPasses {
  private readonly control: Int32Array;
  private readonly lengths: Int32Array;
  private readonly slots: Int32Array[] = [];
  private readonly next: Int32Array;
  private readonly out: Int32Array | Uint16Array;
  private turn = 0;
  private firstChunks = 0;
  private secondChunks = 0;
  private closed = false;

  constructor(readonly job: SharedPassJob, helper: PassHelper) {
    this.control = new Int32Array(job.control);
    this.lengths = new Int32Array(job.lengths);
    this.next = new Int32Array(job.next);
    this.out = job.low16 ? new Uint16Array(job.values) : new Int32Array(job.values);
    for (let s = 0; s < slotCount; s++) this.slots.push(new Int32Array(job.slots, s * job.slotLength * 4, job.slotLength));
    helper.takePasses(job);
  }

  /** A job for chunks of at most `slotLength` values scattered into `values` (their low 16 bits when `low16`). */
  static createJob(values: SharedArrayBuffer, slotLength: number, low16 = false): SharedPassJob {
    return {
      slots: new SharedArrayBuffer(slotCount * slotLength * 4),
      slotLength,
      control: new SharedArrayBuffer((slotCount + 4) * 4),
      lengths: new SharedArrayBuffer(slotCount * 4),
      next: new SharedArrayBuffer(65536 * 4),
      values,
      low16,
    };
  }

  /** Pass one: true when this chunk belongs to the helper part (count it apart). */
  countsApart(bits: Int32Array): boolean {
    return this.isHelperPart(this.firstChunks++, bits);
  }

  /** The rule both passes apply to the k-th chunk: every other chunk that fits in a slot. */
  private isHelperPart(k: number, bits: Int32Array): boolean {
    return k % 2 === 1 && bits.length <= this.job.slotLength;
  }

  /** Before pass two: where the helper part goes in each bucket. */
  setHelperNext(next: Int32Array): void {
    this.next.set(next);
  }

  /** Pass two: true when the chunk is of the helper part, which is then scattered (by the helper or here). */
  scatterHelperPart(bits: Int32Array): boolean {
    if (!this.isHelperPart(this.secondChunks++, bits)) return false;
    const s = this.turn % slotCount;
    if (!this.closed && Atomics.load(this.control, aliveAt) === 1 && Atomics.load(this.control, stoppedAt) === 0) {
      this.waitEmpty(s);
      this.slots[s].set(bits);
      this.lengths[s] = bits.length;
      Atomics.store(this.control, s, scatterIt);
      Atomics.notify(this.control, s);
      this.turn++;
      return true;
    }
    // The helper is not there: once nothing is in its hands, the positions are this thread's to use.
    this.drain();
    if (this.out instanceof Uint16Array) scatterLowBits(bits, 0, bits.length, this.next, this.out);
    else scatterKeys(bits, 0, bits.length, this.next, this.out);
    return true;
  }

  /** Waits until every chunk given to the helper is scattered, then lets it go; returns the helper part's final positions. */
  close(): Int32Array {
    if (!this.closed) {
      this.drain();
      this.release();
    }
    return this.next;
  }

  /** Lets the helper go (unfinished work included, when the passes were abandoned). Safe to call again. */
  release(): void {
    this.closed = true;
    Atomics.store(this.control, quitAt, 1);
    for (let s = 0; s < slotCount; s++) Atomics.notify(this.control, s);
  }

  private drain(): void {
    for (let s = 0; s < slotCount; s++) this.waitEmpty(s);
  }

  /** Waits for slot s to be free. */
  private waitEmpty(s: number): void {
    for (;;) {
      const state = Atomics.load(this.control, s);
      if (state === empty) return;
      if (Atomics.load(this.control, stoppedAt) === 1) throw new Error('SharedPasses: the helper stopped with a chunk in its hands');
      Atomics.wait(this.control, s, state, waitSliceMs);
    }
  }
}
