import type { QuantizeReport } from '../src/core/report/reportTypes';
import { h, setText } from './dom';
import { formatChange, formatCount, formatDb, formatDbChange, formatPercentile, formatShare, formatValue, sqnrValue } from './format';

/** One row: its label, how to show a report's figure, the exact figure, and how it compares. */
interface Row {
  readonly key: string;
  readonly label: string;
  readonly show: (r: QuantizeReport) => string;
  readonly exact?: (r: QuantizeReport) => number | null;
  /** 'lower' / 'higher': which way is better; absent for figures that are not a loss. */
  readonly better?: 'lower' | 'higher';
  readonly change?: (current: QuantizeReport, baseline: QuantizeReport) => string;
}

const lossChange = (read: (r: QuantizeReport) => number) => (c: QuantizeReport, b: QuantizeReport) => formatChange(read(c), read(b));

const rows: readonly Row[] = [
  { key: 'scale', label: 'scale', show: (r) => formatValue(r.scale), exact: (r) => r.scale },
  { key: 'zeroPoint', label: 'zero point', show: (r) => formatValue(r.zeroPoint), exact: (r) => r.zeroPoint },
  { key: 'codeRange', label: 'code range', show: (r) => `${formatCount(r.qmin)} … ${formatCount(r.qmax)}` },
  { key: 'clipRange', label: 'clip range', show: (r) => `[${formatValue(r.clipMin)}, ${formatValue(r.clipMax)}]` },
  { key: 'mse', label: 'MSE', show: (r) => formatValue(r.metrics.mse), exact: (r) => r.metrics.mse, better: 'lower', change: lossChange((r) => r.metrics.mse) },
  { key: 'mae', label: 'MAE', show: (r) => formatValue(r.metrics.mae), exact: (r) => r.metrics.mae, better: 'lower', change: lossChange((r) => r.metrics.mae) },
  { key: 'maxAbsError', label: 'max |error|', show: (r) => formatValue(r.metrics.maxAbsError), exact: (r) => r.metrics.maxAbsError, better: 'lower', change: lossChange((r) => r.metrics.maxAbsError) },
  {
    key: 'sqnrDb', label: 'SQNR', show: (r) => formatDb(r.metrics.sqnrDb), exact: (r) => r.metrics.sqnrDb, better: 'higher',
    change: (c, b) => formatDbChange(sqnrValue(c.metrics.sqnrDb), sqnrValue(b.metrics.sqnrDb)),
  },
  {
    key: 'clippedCount', label: 'clipped', show: (r) => formatCount(r.metrics.clippedCount), exact: (r) => r.metrics.clippedCount,
    change: (c, b) => { const d = c.metrics.clippedCount - b.metrics.clippedCount; return d === 0 ? 'same' : `${d > 0 ? '+' : '−'}${formatCount(Math.abs(d))}`; },
  },
  { key: 'clippedShare', label: 'clipped share', show: (r) => formatShare(r.metrics.clippedFraction), exact: (r) => r.metrics.clippedFraction },
  { key: 'mseInliers', label: 'MSE without outliers', show: (r) => formatValue(r.metrics.mseInliers), exact: (r) => r.metrics.mseInliers, better: 'lower', change: lossChange((r) => r.metrics.mseInliers) },
];

/** What a report's clipping range is, in words: "percentile P = 99", "min-max". */
export function describeRange(r: QuantizeReport): string {
  return r.params.range === 'minmax' || r.params.percentile === null ? 'min-max' : `P = ${formatPercentile(r.params.percentile)}`;
}

/** Which way a change went for a row, to colour it (the words say it too). */
function verdict(row: Row, c: QuantizeReport, b: QuantizeReport): 'better' | 'worse' | '' {
  if (!row.better || !row.exact) return '';
  const cv = row.key === 'sqnrDb' ? sqnrValue(row.exact(c)) : row.exact(c);
  const bv = row.key === 'sqnrDb' ? sqnrValue(row.exact(b)) : row.exact(b);
  if (cv === null || bv === null || cv === bv) return '';
  return (cv < bv) === (row.better === 'lower') ? 'better' : 'worse';
}

/** The figures of the current quantization beside the min-max baseline, so the gain is plain. */
export class ResultsTable {
  readonly element: HTMLElement;
  private readonly caption = h('caption', {});
  private readonly currentHead = h('th', { scope: 'col', class: 'num' });
  private readonly cells = new Map<string, { current: HTMLElement; baseline: HTMLElement; change: HTMLElement }>();
  /** The landmark of the results: the box the table scrolls in, named by the heading above it. */
  private readonly scroller = h('div', { id: 'results-scroll', class: 'table-scroll', role: 'region', 'aria-labelledby': 'results-title' });

  constructor() {
    const body = h('tbody', {});
    for (const row of rows) {
      const current = h('td', { class: 'num current' });
      const baseline = h('td', { class: 'num baseline' });
      const change = h('td', { class: 'num change' });
      this.cells.set(row.key, { current, baseline, change });
      const th = h('th', { scope: 'row' }, row.label);
      if (row.better) {
        const words = row.better === 'lower' ? 'lower is better' : 'higher is better';
        th.append(' ', h('span', { class: 'hint', 'aria-hidden': 'true', title: words }, row.better === 'lower' ? '↓' : '↑'), h('span', { class: 'visually-hidden' }, ` (${words})`));
      }
      body.append(h('tr', { 'data-row': row.key }, th, current, baseline, change));
    }
    const head = h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'metric'), this.currentHead, h('th', { scope: 'col', class: 'num' }, 'min-max baseline'), h('th', { scope: 'col', class: 'num' }, 'change')));
    const table = h('table', { id: 'results-table' }, this.caption, head, body);
    this.scroller.append(table);
    this.element = h('section', { class: 'results' }, h('h2', { id: 'results-title' }, 'Results'), this.scroller);
    // The table's width changes with its figures, the box's with the window: either may start or end the scrolling.
    const resizes = new ResizeObserver(() => this.updateScrolling());
    resizes.observe(this.scroller);
    resizes.observe(table);
  }

  /**
   * A table too wide for its column (cells wrap first, see media/inspector.css) scrolls sideways inside its own
   * box; then the box joins the tab order so that the keyboard can scroll it, as WCAG 2.1.1 asks of a scrolling
   * region, and leaves it when nothing is hidden.
   */
  private updateScrolling(): void {
    const scrolls = this.scroller.scrollWidth > this.scroller.clientWidth;
    if (scrolls) this.scroller.tabIndex = 0;
    else this.scroller.removeAttribute('tabindex');
  }

  /** Fills the table from a report and its min-max baseline. */
  render(report: QuantizeReport, baseline: QuantizeReport): void {
    const range = describeRange(report);
    setText(this.caption, `${report.params.bits} bits, ${range}, against min-max at the same bits. ↓ lower is better, ↑ higher is better.`);
    setText(this.currentHead, range);
    for (const row of rows) {
      const cells = this.cells.get(row.key);
      if (!cells) continue;
      setText(cells.current, row.show(report));
      setText(cells.baseline, row.show(baseline));
      if (row.exact) {
        cells.current.dataset.value = String(row.exact(report));
        cells.baseline.dataset.value = String(row.exact(baseline));
        cells.current.title = String(row.exact(report));
        cells.baseline.title = String(row.exact(baseline));
      }
      const v = verdict(row, report, baseline);
      cells.change.replaceChildren(row.change ? row.change(report, baseline) : '');
      if (v) cells.change.append(h('span', { class: 'visually-hidden' }, ` (${v})`));
      cells.change.classList.toggle('better', v === 'better');
      cells.change.classList.toggle('worse', v === 'worse');
    }
  }
}
