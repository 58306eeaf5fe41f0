import seedrandom from 'seedrandom';

/** A seeded source of the awkward tensors the search engines are checked on. */
export class TensorGenerator {
  private readonly rng: seedrandom.PRNG;

  constructor(seed: string) {
    this.rng = seedrandom(seed);
  }

  uniform(): number {
    return this.rng();
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rng() * (hi - lo + 1));
  }

  normal(): number {
    const a = this.rng() || 1e-12;
    return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * this.rng());
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rng() * xs.length)];
  }

  /** A tensor of one of many shapes: heavy tails, ties, runs, grids, outliers, one-sided, degenerate. */
  tensor(n: number, kind: string = this.pick(kinds)): { kind: string; values: Float64Array } {
    const x = new Float64Array(n);
    const f32 = this.rng() < 0.5 && kind !== 'huge' && kind !== 'large';
    for (let i = 0; i < n; i++) x[i] = this.value(kind, i, n);
    if (f32) for (let i = 0; i < n; i++) x[i] = Math.fround(x[i]);
    return { kind: `${kind}${f32 ? '/f32' : ''}`, values: x };
  }

  private value(kind: string, i: number, n: number): number {
    switch (kind) {
      case 'uniformOutliers':
        return this.rng() < 0.001 || i === n - 1 ? 300 + 300 * this.rng() : -80 + 180 * this.rng();
      case 'normal':
        return this.normal();
      case 'laplace': {
        const r = this.rng() - 0.5;
        return -Math.sign(r) * Math.log(1 - 2 * Math.abs(r) || 1e-300);
      }
      case 'studentT3': {
        const z = this.normal();
        const c = this.normal() ** 2 + this.normal() ** 2 + this.normal() ** 2;
        return z / Math.sqrt(c / 3 || 1e-12);
      }
      case 'integers':
        return this.int(-5, 12);
      case 'codeGrid':
        return this.int(0, 255);
      case 'decimalGrid':
        return this.int(-500, 500) / 10;
      case 'fewValues':
        return this.pick([-3.25, 0, 0.1, 7, 7.000001, 1e4]);
      case 'constant':
        return 4.5;
      case 'zeros':
        return this.rng() < 0.5 ? 0 : -0;
      case 'positive':
        return 1000 + this.rng() * 10;
      case 'negative':
        return -1e-3 - this.rng() * 1e-3;
      case 'wideMagnitudes':
        return (this.rng() < 0.5 ? -1 : 1) * 10 ** (-8 + 16 * this.rng());
      case 'sortedRuns':
        return Math.floor(i / 97) * 0.37;
      case 'huge':
        return this.pick([1e300, -1e300, 5e299, 0]);
      case 'large':
        return (this.rng() - 0.3) * 1e150;
      case 'tiny':
        return (this.rng() - 0.5) * 1e-300;
      default:
        throw new Error(kind);
    }
  }
}

const kinds = [
  'uniformOutliers', 'normal', 'laplace', 'studentT3', 'integers', 'codeGrid', 'decimalGrid', 'fewValues',
  'constant', 'zeros', 'positive', 'negative', 'wideMagnitudes', 'sortedRuns', 'huge', 'large', 'tiny',
] as const;

/** Every generator kind, for tests that walk them all. */
export const tensorKinds: readonly string[] = kinds;
