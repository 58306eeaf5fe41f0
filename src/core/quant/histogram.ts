/** Equal-width bins: counts[i] covers [edges[i], edges[i+1]), the last bin closed as numpy.histogram. */
export interface Histogram {
  readonly edges: number[];
  readonly counts: number[];
}

/** Bins shown for values and errors: enough to see a tail, few enough to send to a webview. */
export const defaultHistogramBins = 128;

/** numpy.histogram-style binning of values over [lo, hi]; values outside are ignored. */
export function histogram(values: ArrayLike<number>, lo: number, hi: number, bins = defaultHistogramBins): Histogram {
  if (!(hi > lo)) {
    // One bin around a single value, as numpy widens a degenerate range by ±0.5.
    lo -= 0.5;
    hi += 0.5;
  }
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) continue;
    let b = Math.floor((v - lo) / width);
    if (b >= bins) b = bins - 1;
    counts[b]++;
  }
  const edges = new Array<number>(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = lo + i * width;
  edges[bins] = hi;
  return { edges, counts };
}

/** Use of each code level, grouped into at most `maxBins` equal groups of levels (16-bit codes have 65536). */
export interface CodeHistogram {
  /** Levels per bin: 1 up to 8 bits with 256 bins. */
  readonly levelsPerBin: number;
  readonly counts: number[];
  /** How many of the 2^b levels are used at least once. */
  readonly usedLevels: number;
}

/** Counts codes per level, then groups levels so the histogram stays small. */
export function codeHistogram(codes: ArrayLike<number>, qmax: number, maxBins = 256): CodeHistogram {
  const levels = new Uint32Array(qmax + 1);
  for (let i = 0; i < codes.length; i++) levels[codes[i]]++;
  let used = 0;
  for (let i = 0; i < levels.length; i++) if (levels[i] > 0) used++;
  const levelsPerBin = Math.max(1, Math.ceil(levels.length / maxBins));
  const counts = new Array<number>(Math.ceil(levels.length / levelsPerBin)).fill(0);
  for (let i = 0; i < levels.length; i++) counts[Math.floor(i / levelsPerBin)] += levels[i];
  return { levelsPerBin, counts, usedLevels: used };
}
