import { CompensatedSum } from './compensatedSum';
import type { PreparedValues } from './preparedValues';

/** Summary statistics of the finite values (numpy's mean and population std). */
export interface SummaryStats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly std: number;
}

/** Two compensated passes, as numpy.std computes around the mean. */
export function summaryStats(prepared: PreparedValues): SummaryStats {
  const x = prepared.finite;
  const sum = new CompensatedSum();
  for (let i = 0; i < x.length; i++) sum.add(x[i]);
  const mean = sum.value / x.length;
  const dev = new CompensatedSum();
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - mean;
    dev.add(d * d);
  }
  return { min: prepared.min, max: prepared.max, mean, std: Math.sqrt(dev.value / x.length) };
}
