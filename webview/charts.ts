import {
  BarController,
  BarElement,
  Chart,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartOptions,
  type TooltipItem,
} from 'chart.js';
import type { Objective } from '../src/core/quant/metrics';
import type { Histogram } from '../src/core/quant/histogram';
import type { QuantizeReport, SearchReport } from '../src/core/report/reportTypes';
import { createMarkersPlugin, type MarkerSpec, type VerticalMarker } from './chartMarkers';
import { objectiveLabels } from './controls';
import { h, setText } from './dom';
import { formatCount, formatPercentile, formatShare, formatValue } from './format';
import { withAlpha, type ChartTheme } from './themeColors';
import { percentileAxis } from './percentileAxis';

// Only what the four charts use, so the bundle carries nothing else of chart.js.
Chart.register(BarController, BarElement, LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip);

/** Everything the charts show. */
export interface ChartInputs {
  readonly report: QuantizeReport;
  /** The last grid search on this tensor, if any. */
  readonly search: SearchReport | undefined;
  readonly logScale: boolean;
}

type Point = { x: number; y: number };
/** A point of the error curve: its place on the axis, and the percentile it stands for. */
type CurvePoint = Point & { readonly p: number };

/** Opacity of bar fills outside high contrast (high contrast draws solid bars with outlines). */
const barAlpha = 0.75;
/** Opacity of the shade over clipped tails. */
const shadeAlpha = 0.1;

/** One chart in its figure: a heading, a note under it, the canvas (an image with a text alternative). */
class Figure {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly note = h('p', { class: 'chart-note' });
  readonly empty = h('p', { class: 'chart-empty' });
  private readonly box: HTMLElement;

  constructor(readonly id: string, title: string, extra?: Node) {
    this.canvas = h('canvas', { id: `${id}-canvas`, role: 'img' });
    this.box = h('div', { class: 'canvas-box' }, this.canvas);
    this.empty.hidden = true;
    const head = h('div', { class: 'chart-head' }, h('h3', { id: `${id}-title` }, title));
    if (extra) head.append(extra);
    this.element = h('figure', { class: 'chart', id, 'aria-labelledby': `${id}-title` }, head, this.note, this.box, this.empty);
  }

  /** Sets the text alternative of the canvas. */
  describe(text: string): void {
    this.canvas.setAttribute('aria-label', text);
  }

  /** Shows a sentence instead of the chart (nothing to draw yet). */
  showEmpty(message: string | null): void {
    this.box.hidden = message !== null;
    this.empty.hidden = message === null;
    setText(this.empty, message ?? '');
  }
}

function histogramPoints(hist: Histogram): Point[] {
  const points: Point[] = new Array(hist.counts.length);
  for (let i = 0; i < hist.counts.length; i++) {
    points[i] = { x: ((hist.edges[i] ?? 0) + (hist.edges[i + 1] ?? 0)) / 2, y: hist.counts[i] ?? 0 };
  }
  return points;
}

function binWidth(hist: Histogram): number {
  const n = hist.counts.length;
  return n > 0 ? ((hist.edges[n] ?? 0) - (hist.edges[0] ?? 0)) / n : 0;
}

/** The percentile a report used, as the error curve's x: min-max is P = 100. */
export function reportPercentile(r: QuantizeReport): number | null {
  return r.params.range === 'minmax' ? 100 : r.params.percentile;
}

/** The four charts of the inspector, kept alive and updated in place so that changes stay smooth. */
export class InspectorCharts {
  readonly valuesFigure = new Figure('chart-values', 'Values');
  readonly curveFigure = new Figure('chart-curve', 'Error against percentile');
  readonly codesFigure = new Figure('chart-codes', 'Codes');
  readonly errorsFigure = new Figure('chart-errors', 'Error distribution');
  readonly logScaleBox = h('input', { id: 'log-scale', type: 'checkbox' });
  private readonly values: Chart<'bar', Point[]>;
  private readonly curve: Chart<'line', Point[]>;
  private readonly codes: Chart<'bar', Point[]>;
  private readonly errors: Chart<'bar', Point[]>;
  private valuesMarkers: MarkerSpec | undefined;
  private curveMarkers: MarkerSpec | undefined;
  private errorMarkers: MarkerSpec | undefined;
  private inputs: ChartInputs | undefined;
  /** What each chart's options were built from: rebuilding them costs more than drawing, so only on change. */
  private readonly optionKeys = new WeakMap<Chart, string>();
  private themeVersion = 0;
  /** Bin width of the error histogram on screen (its tooltips read it). */
  private errorBinWidth = 0;

  constructor(private theme: ChartTheme, onLogScale: (on: boolean) => void) {
    this.logScaleBox.addEventListener('change', () => onLogScale(this.logScaleBox.checked));
    this.values = this.makeBar(this.valuesFigure, 'values', () => this.valuesMarkers);
    this.codes = this.makeBar(this.codesFigure, 'codes', () => undefined);
    this.errors = this.makeBar(this.errorsFigure, 'errors', () => this.errorMarkers);
    const curveConfig: ChartConfiguration<'line', Point[]> = {
      type: 'line',
      data: { datasets: [{ data: [] }, { data: [] }] },
      options: this.options<'line'>(this.axis(''), this.axis(''), {}),
      plugins: [createMarkersPlugin(() => this.curveMarkers)],
    };
    this.curve = new Chart(this.curveFigure.canvas, curveConfig);
    const toolbar = h(
      'div',
      { class: 'charts-toolbar' },
      h('label', { class: 'checkbox', for: 'log-scale' }, this.logScaleBox, 'Log scale'),
      h('span', { class: 'help' }, 'for the counts of the value and error histograms, so single outliers show'),
    );
    this.element = h(
      'section',
      { class: 'charts', 'aria-label': 'Charts' },
      toolbar,
      h('div', { class: 'chart-grid' }, this.valuesFigure.element, this.curveFigure.element, this.codesFigure.element, this.errorsFigure.element),
    );
    this.applyTheme();
  }

  /** The section holding the four figures, in reading order. */
  readonly element: HTMLElement;

  /** Draws a report (and the search, if any). */
  update(inputs: ChartInputs): void {
    this.inputs = inputs;
    this.logScaleBox.checked = inputs.logScale;
    this.updateValues(inputs);
    this.updateCodes(inputs);
    this.updateErrors(inputs);
    this.updateCurve(inputs);
  }

  /** Redraws every chart in the colours of the current theme. */
  setTheme(theme: ChartTheme): void {
    this.theme = theme;
    this.themeVersion++;
    this.applyTheme();
    if (this.inputs) this.update(this.inputs);
  }

  private makeBar(figure: Figure, kind: 'values' | 'codes' | 'errors', markers: () => MarkerSpec | undefined): Chart<'bar', Point[]> {
    const config: ChartConfiguration<'bar', Point[]> = {
      type: 'bar',
      data: { datasets: [{ data: [] }] },
      options: this.options<'bar'>(this.axis(''), this.axis(''), {}),
      plugins: kind === 'codes' ? [] : [createMarkersPlugin(markers)],
    };
    const chart = new Chart(figure.canvas, config);
    chart.canvas.dataset.kind = kind;
    return chart;
  }

  /** An axis in theme colours; `extra` overrides (min, max, type, ticks). */
  private axis(title: string, extra: AxisExtra = {}): Record<string, unknown> {
    const t = this.theme;
    return {
      type: 'linear',
      // High contrast: solid contrastBorder for axes, and dotted solid grid lines instead of translucent ones.
      border: { color: t.isHighContrast ? t.contrastBorder : t.grid, ...(t.isHighContrast ? { dash: [1, 3] } : {}) },
      grid: { color: t.isHighContrast ? t.contrastBorder : t.grid, drawTicks: false },
      title: { display: true, text: title, color: t.muted, font: { size: t.fontSize - 1 } },
      ...extra,
      ticks: { color: t.foreground, maxTicksLimit: 7, padding: 4, includeBounds: false, maxRotation: 0, callback: (v: number | string) => formatValue(Number(v)), ...extra.ticks },
    };
  }

  /** Options of one chart: no animation (updates must keep up with a slider), theme colours, tooltips. */
  private options<T extends 'bar' | 'line'>(x: Record<string, unknown>, y: Record<string, unknown>, tooltip: Record<string, unknown>): ChartOptions<T> {
    const t = this.theme;
    const options = {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      normalized: true,
      parsing: false,
      color: t.foreground,
      font: { family: t.fontFamily, size: t.fontSize - 1 },
      layout: { padding: { top: 4, right: 8 } },
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      plugins: {
        tooltip: {
          backgroundColor: t.background,
          titleColor: t.foreground,
          bodyColor: t.foreground,
          borderColor: t.isHighContrast ? t.contrastBorder : t.grid,
          borderWidth: 1,
          callbacks: tooltip,
        },
      },
      scales: { x, y },
    };
    return options as unknown as ChartOptions<T>;
  }

  private barDataset(color: string) {
    const t = this.theme;
    // High contrast: solid bars (outlines would swallow bars a few pixels wide; the chart box is outlined instead).
    return {
      backgroundColor: t.isHighContrast ? color : withAlpha(color, barAlpha),
      borderColor: color,
      borderWidth: 0,
      barPercentage: 1,
      categoryPercentage: 1,
      grouped: false,
    };
  }

  /**
   * Replaces a chart's options only when what they are built from (`key`) changed: rebuilding costs
   * more than drawing. Axis ranges that follow every answer are set in place instead.
   */
  private redraw<T extends 'bar' | 'line'>(chart: Chart<T, Point[]>, key: unknown[], build: () => ChartOptions<T>, xRange?: { min: number; max: number }): void {
    const k = JSON.stringify([this.themeVersion, ...key]);
    if (this.optionKeys.get(chart as unknown as Chart) === k) {
      const x = chart.options?.scales?.x;
      if (xRange && x) Object.assign(x, xRange);
      chart.update('none');
      return;
    }
    const options = build();
    if (xRange) Object.assign(options?.scales?.x ?? {}, xRange);
    chart.options = options;
    this.optionKeys.set(chart as unknown as Chart, k);
    // Not 'none': that mode keeps the elements' shared options, so new theme colours would not reach the bars.
    chart.update();
  }

  private markerFont(): Pick<MarkerSpec, 'font' | 'fontSize' | 'labelBackground'> {
    return { font: this.theme.fontFamily || 'sans-serif', fontSize: this.theme.fontSize - 2, labelBackground: withAlpha(this.theme.background || '#000000', 0.85) };
  }

  private applyTheme(): void {
    const t = this.theme;
    Chart.defaults.color = t.foreground;
    Chart.defaults.borderColor = t.grid;
    if (t.fontFamily) Chart.defaults.font.family = t.fontFamily;
    for (const [chart, color] of [[this.values, t.values], [this.codes, t.codes], [this.errors, t.errors]] as const) {
      Object.assign(chart.data.datasets[0] ?? {}, this.barDataset(color));
    }
    const [line, best] = this.curve.data.datasets;
    if (line) Object.assign(line, { borderColor: t.curve, backgroundColor: t.curve, borderWidth: 2, pointHoverRadius: 4, pointBorderColor: t.curve, pointBackgroundColor: t.curve });
    if (best) Object.assign(best, { borderColor: t.isHighContrast ? t.contrastBorder : t.best, backgroundColor: t.best, pointRadius: 7, pointHoverRadius: 8, pointStyle: 'rectRot', borderWidth: 2, showLine: false });
  }

  private updateValues(inputs: ChartInputs): void {
    const r = inputs.report;
    const hist = r.histograms?.values;
    const fig = this.valuesFigure;
    if (!hist) {
      fig.showEmpty('No histogram in this report.');
      return;
    }
    fig.showEmpty(null);
    const t = this.theme;
    const ds = this.values.data.datasets[0];
    if (ds) ds.data = histogramPoints(hist);
    const finite = hist.counts.reduce((a, b) => a + b, 0);
    const clipColor = t.clip;
    this.valuesMarkers = {
      ...this.markerFont(),
      shadeOutside: t.isHighContrast ? undefined : { from: r.clipMin, to: r.clipMax, color: withAlpha(clipColor, shadeAlpha) },
      lines: [
        { x: r.clipMin, color: clipColor, label: `clip min ${formatValue(r.clipMin)}`, width: 2 },
        { x: r.clipMax, color: clipColor, label: `clip max ${formatValue(r.clipMax)}`, width: 2 },
      ],
    };
    const w = binWidth(hist);
    const lo = hist.edges[0];
    const hi = hist.edges[hist.edges.length - 1];
    const top = logTop(hist.counts);
    this.redraw(this.values, [inputs.logScale, lo, hi, top], () =>
      this.options<'bar'>(
        this.axis('value', { min: lo, max: hi, offset: false }),
        inputs.logScale ? this.axis('count (log)', { ...logAxis, max: top }) : this.axis('count', countAxis),
        {
          title: (items: TooltipItem<'bar'>[]) => binTitle(items, w),
          label: (item: TooltipItem<'bar'>) => `${formatCount(item.parsed.y ?? 0)} values`,
        },
      ),
    );
    setText(fig.note, `${formatCount(finite)} finite values in ${hist.counts.length} bins; clip range [${formatValue(r.clipMin)}, ${formatValue(r.clipMax)}] clips ${formatCount(r.metrics.clippedCount)} (${formatShare(r.metrics.clippedFraction)}).`);
    fig.describe(
      `Histogram of ${formatCount(finite)} values from ${formatValue(r.tensor.stats.min)} to ${formatValue(r.tensor.stats.max)}` +
        `${inputs.logScale ? ', log scale' : ''}, with the clip range from ${formatValue(r.clipMin)} to ${formatValue(r.clipMax)} marked.`,
    );
  }

  private updateCodes(inputs: ChartInputs): void {
    const r = inputs.report;
    const hist = r.histograms?.codes;
    const fig = this.codesFigure;
    if (!hist) {
      fig.showEmpty('No code histogram in this report.');
      return;
    }
    fig.showEmpty(null);
    const levels = r.qmax - r.qmin + 1;
    const per = hist.levelsPerBin;
    const points = hist.counts.map((count, i) => ({ x: r.qmin + i * per + (per - 1) / 2, y: count }));
    const ds = this.codes.data.datasets[0];
    if (ds) ds.data = points;
    this.redraw(this.codes, [per, r.qmin, r.qmax], () =>
      this.options<'bar'>(
        this.axis(per > 1 ? `code (bars of ${formatCount(per)} levels)` : 'code', { min: r.qmin - 0.5, max: r.qmax + 0.5, offset: false, ticks: { precision: 0 } }),
        this.axis('count', countAxis),
        {
          title: (items: TooltipItem<'bar'>[]) => {
            const x = items[0]?.parsed.x ?? 0;
            const first = Math.round(x - (per - 1) / 2);
            return per > 1 ? `codes ${first}…${first + per - 1}` : `code ${first}`;
          },
          label: (item: TooltipItem<'bar'>) => `${formatCount(item.parsed.y ?? 0)} values`,
        },
      ),
    );
    const text = `Used levels ${formatCount(hist.usedLevels)} of 2^${r.params.bits} = ${formatCount(levels)} (${formatShare(hist.usedLevels / levels)}).`;
    setText(fig.note, text);
    fig.describe(`Histogram of the ${formatCount(levels)} code levels. ${text}`);
  }

  private updateErrors(inputs: ChartInputs): void {
    const r = inputs.report;
    const hist = r.histograms?.errors;
    const fig = this.errorsFigure;
    if (!hist) {
      fig.showEmpty('No error histogram in this report.');
      return;
    }
    fig.showEmpty(null);
    const t = this.theme;
    const ds = this.errors.data.datasets[0];
    if (ds) ds.data = histogramPoints(hist);
    const half = r.scale / 2;
    this.errorMarkers = {
      ...this.markerFont(),
      lines: [
        { x: -half, color: t.muted, label: '−scale/2', dash: [4, 3], width: 1 },
        { x: half, color: t.muted, label: '+scale/2', dash: [4, 3], width: 1 },
      ],
    };
    const w = binWidth(hist);
    const lo = hist.edges[0] ?? 0;
    const hi = hist.edges[hist.edges.length - 1] ?? 0;
    const top = logTop(hist.counts);
    this.errorBinWidth = w;
    this.redraw(
      this.errors,
      [inputs.logScale, top],
      () =>
        this.options<'bar'>(
          this.axis('error x − x̂', { offset: false }),
          inputs.logScale ? this.axis('count (log)', { ...logAxis, max: top }) : this.axis('count', countAxis),
          {
            title: (items: TooltipItem<'bar'>[]) => binTitle(items, this.errorBinWidth),
            label: (item: TooltipItem<'bar'>) => `${formatCount(item.parsed.y ?? 0)} values`,
          },
        ),
      { min: lo, max: hi },
    );
    setText(fig.note, `Error from ${formatValue(lo)} to ${formatValue(hi)}; rounding alone stays within ±scale/2 = ±${formatValue(half)}, clipping goes beyond.`);
    fig.describe(`Histogram of the error x − x̂ from ${formatValue(lo)} to ${formatValue(hi)}${inputs.logScale ? ', log scale' : ''}, with ±scale/2 marked.`);
  }

  private updateCurve(inputs: ChartInputs): void {
    const { search, report } = inputs;
    const fig = this.curveFigure;
    if (!search || search.tensor.name !== report.tensor.name) {
      fig.showEmpty('Run a grid search to see the error against the percentile, with the best choice marked.');
      setText(fig.note, '');
      fig.describe('No grid search yet.');
      this.curveMarkers = undefined;
      const [line, best] = this.curve.data.datasets;
      if (line) line.data = [];
      if (best) best.data = [];
      this.curve.update();
      return;
    }
    fig.showEmpty(null);
    const t = this.theme;
    const objective: Objective = search.params.objective;
    // An optimal-range path has no single percentile per point; its upper end's percentile stands in.
    const curve = search.curve
      .map((c) => ({ p: c.percentile ?? c.upperPercentile ?? NaN, y: c.value }))
      .filter((c) => Number.isFinite(c.p) && Number.isFinite(c.y));
    const axis = percentileAxis(curve.map((c) => c.p));
    const points: CurvePoint[] = curve.map((c) => ({ x: axis.toX(c.p), y: c.y, p: c.p }));
    const bestP = search.best.percentile;
    const bestValue = search.best.metrics[objective];
    const [line, best] = this.curve.data.datasets;
    if (line) {
      line.data = points;
      line.pointRadius = points.length > 60 ? 0 : 2;
    }
    if (best) best.data = bestP !== null && Number.isFinite(bestValue) ? [{ x: axis.toX(bestP), y: bestValue, p: bestP } as CurvePoint] : [];
    const current = reportPercentile(report);
    const lines: VerticalMarker[] = [];
    if (bestP !== null) lines.push({ x: axis.toX(bestP), color: t.best, label: `best P = ${formatPercentile(bestP)}`, width: 2 });
    if (current !== null) lines.push({ x: axis.toX(current), color: t.current, label: `current P = ${formatPercentile(current)}`, dash: [5, 3], width: 2 });
    this.curveMarkers = { ...this.markerFont(), lines };
    const label = objectiveLabels[objective];
    const first = curve[0]?.p;
    const last = curve[curve.length - 1]?.p;
    this.redraw(this.curve, [label, axis.extra.min, axis.extra.max, axis.log], () =>
      this.options<'line'>(
        this.axis(axis.log ? `percentile P (${axis.scaleText})` : 'percentile P', axis.extra),
        this.axis(label),
        {
          title: (items: TooltipItem<'line'>[]) => `P = ${formatPercentile((items[0]?.raw as CurvePoint | undefined)?.p ?? 0)}`,
          label: (item: TooltipItem<'line'>) => `${label} ${formatValue(item.parsed.y ?? 0)}`,
        },
      ),
    );
    const bitsNote = search.params.bits === report.params.bits ? '' : ` (searched at ${search.params.bits} bits)`;
    const bestText = bestP === null ? 'no single best percentile' : `best P = ${formatPercentile(bestP)}, ${label} ${formatValue(bestValue)}`;
    const currentText = current === null ? '' : `; current P = ${formatPercentile(current)}, ${label} ${formatValue(report.metrics[objective])}`;
    setText(fig.note, `${formatCount(search.curve.length)} candidates${bitsNote}: ${bestText}${currentText}.`);
    fig.describe(`${label} against percentile P from ${formatPercentile(first ?? 0)} to ${formatPercentile(last ?? 0)}, ${axis.scaleText}; ${bestText}${currentText}.`);
  }
}

function binTitle(items: TooltipItem<'bar'>[], width: number): string {
  const x = items[0]?.parsed.x ?? 0;
  return `[${formatValue(x - width / 2)}, ${formatValue(x + width / 2)})`;
}

/** Axis settings beyond the theme's: range, type, tick rules. */
type AxisExtra = Record<string, unknown> & { ticks?: Record<string, unknown> };

/** A count axis from zero with whole-number ticks. */
const countAxis: AxisExtra = { beginAtZero: true, ticks: { precision: 0 } };

/** The power of ten above the largest count, so a log axis ends on a labelled tick. */
function logTop(counts: readonly number[]): number {
  let max = 1;
  for (const c of counts) if (c > max) max = c;
  return 10 ** Math.ceil(Math.log10(max) + 1e-9);
}

/** A log count axis that still shows bars of one value (its floor sits below 1) and labels powers of ten. */
const logAxis: AxisExtra = {
  type: 'logarithmic',
  min: 0.5,
  ticks: {
    callback: (v: number | string) => {
      const n = Number(v);
      const log = Math.log10(n);
      return n >= 1 && Math.abs(log - Math.round(log)) < 1e-9 ? formatCount(n) : null;
    },
  },
};
