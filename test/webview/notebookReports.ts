import seedrandom from 'seedrandom';
import type { PanelSettings, ToWebview, TensorListItem } from '../../src/protocol/webview';
import type { QuantizeReport, SearchReport } from '../../src/core/report/reportTypes';
import type { Tensor } from '../../src/core/tensor';
import { buildQuantizeReport, buildSearchReport, prepareSubject, type ReportSubject } from '../../src/core/report/buildReports';
import { parseGrid } from '../../src/core/search/gridSpec';

/** The notebook's tensor: 1000 values uniform(-80, 100) rounded to 4 decimals, the last one an outlier of 580. */
export function notebookTensor(name = 'params', seed = 'clipwise-webview'): Tensor {
  const rng = seedrandom(seed);
  const values = new Float64Array(1000);
  for (let i = 0; i < values.length; i++) values[i] = Math.round((-80 + 180 * rng()) * 1e4) / 1e4;
  values[values.length - 1] = 580;
  return { name, dtype: 'float64', shape: [1000], count: 1000, byteSize: 8000, values, warnings: [] };
}

/** A million values like the notebook's (a 1000×1000 float32 weight), for the page's smoothness. */
export function millionTensor(): Tensor {
  const rng = seedrandom('clipwise-webview-million');
  const values = new Float64Array(1_000_000);
  for (let i = 0; i < values.length; i++) values[i] = -80 + 180 * rng();
  values[values.length - 1] = 580;
  return { name: 'layer1.weight', dtype: 'float32', shape: [1000, 1000], count: values.length, byteSize: 4 * values.length, values, warnings: [] };
}

/** The settings the panel opens with (issue 4's defaults). */
export const defaultSettings: PanelSettings = { tensor: 'params', bits: 8, range: 'percentile', percentile: 99, grid: '99:100:0.01', objective: 'mse' };

/** Reports computed by the real core, as the host would send them. */
export class ReportMaker {
  readonly subject: ReportSubject;
  constructor(readonly tensor: Tensor = notebookTensor()) {
    this.subject = prepareSubject(tensor);
  }

  /** The report for these settings ('bestOfGrid' needs the search's best percentile). */
  quantize(s: PanelSettings, bestPercentile?: number): QuantizeReport {
    if (s.range === 'minmax') return buildQuantizeReport(this.subject, { bits: s.bits, range: 'minmax', percentile: 100 });
    const percentile = s.range === 'bestOfGrid' ? (bestPercentile ?? 100) : s.percentile;
    return buildQuantizeReport(this.subject, { bits: s.bits, range: 'percentile', percentile });
  }

  /** The min-max baseline at these bits. */
  baseline(bits: number): QuantizeReport {
    return buildQuantizeReport(this.subject, { bits, range: 'minmax', percentile: 100 });
  }

  /** The grid search for these settings. */
  search(s: PanelSettings): Promise<SearchReport> {
    return buildSearchReport(this.subject, { bits: s.bits, grid: parseGrid(s.grid), objective: s.objective });
  }

  /** The listing entry of the tensor. */
  listItem(): TensorListItem {
    const t = this.tensor;
    return { name: t.name, dtype: t.dtype, shape: t.shape, count: t.count };
  }

  /** A `show` message for these settings. */
  show(s: PanelSettings, extra: { fileName?: string; search?: SearchReport; tensors?: TensorListItem[] } = {}): ToWebview {
    return {
      type: 'show',
      fileName: extra.fileName ?? 'notebook.npy',
      fileUri: 'file:///work/samples/notebook.npy',
      tensors: extra.tensors ?? [this.listItem()],
      settings: s,
      report: this.quantize(s, extra.search?.best.percentile ?? undefined),
      baseline: this.baseline(s.bits),
      ...(extra.search ? { search: extra.search } : {}),
    };
  }
}
