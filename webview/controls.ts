import type { ExportKind, PanelRange, PanelSettings } from '../src/protocol/webview';
import type { Objective } from '../src/core/quant/metrics';
import { h, setText } from './dom';
import { formatCount, formatPercentile, formatShare, ordinal } from './format';
import { checkGridText, isValidPercentile, type GridCheck } from './gridText';
import { maxBits, minBits } from './pageState';

/** How soon a change should reach the host: at once, as a slider drags, or as the user types. */
export type ChangeTiming = 'now' | 'drag' | 'typing';

/** What the controls ask of the page. */
export interface ControlEvents {
  onSettings(change: Partial<PanelSettings>, timing: ChangeTiming): void;
  onRunSearch(): void;
  onCancelSearch(): void;
  onExport(kind: ExportKind): void;
}

const rangeLabels: Readonly<Record<PanelRange, string>> = { minmax: 'min-max', percentile: 'percentile', bestOfGrid: 'best of grid' };

/** The objectives in the CLI's order, named as the results table names them. */
export const objectiveLabels: Readonly<Record<Objective, string>> = {
  mse: 'MSE',
  mae: 'MAE',
  maxAbsError: 'max |error|',
  sqnrDb: 'SQNR (dB)',
  mseInliers: 'MSE without outliers',
};

const exportButtons: readonly { kind: ExportKind; id: string; label: string; title: string }[] = [
  { kind: 'codesNpy', id: 'export-codes', label: 'Codes (.npy)', title: 'Save the integer codes as a .npy file' },
  { kind: 'paramsJson', id: 'export-params', label: 'Parameters (JSON)', title: 'Save scale, zero point and clip range as JSON' },
  { kind: 'pythonSnippet', id: 'export-python', label: 'Python snippet', title: 'Copy numpy and PyTorch code that reproduces this quantization' },
];

/** The grid box's label: the two forms the core's parseGrid reads. */
const gridLabel = 'Grid (from:to:step or nines)';

/** What the line under the grid box says: the candidates a grid tries, or why the core would refuse it. */
function gridHelpText(check: GridCheck): string {
  if (!check.ok) return check.message;
  if (check.kind === 'nines') return '99, 99.9, 99.99, … as far as the tensor resolves, then 100';
  return `${formatCount(check.count)} candidate${check.count === 1 ? '' : 's'}`;
}

/** The slider spans 90..100, where clipping choices live, and widens to 50..100 for a lower P. */
const sliderNarrowMin = 90;
const sliderWideMin = 50;

/** Bits, range, percentile, grid, objective, the search and the exports: every one labelled and keyboard reachable. */
export class Controls {
  readonly element: HTMLElement;
  private readonly bits = h('select', { id: 'bits' });
  private readonly range = h('select', { id: 'range' });
  private readonly slider = h('input', {
    id: 'percentile-slider', type: 'range', min: String(sliderNarrowMin), max: '100', step: '0.01',
    'aria-label': 'Percentile P (slider)', 'aria-describedby': 'percentile-rule percentile-now',
  });
  private readonly percentile = h('input', {
    id: 'percentile', type: 'number', min: '50.01', max: '100', step: '0.01', inputmode: 'decimal',
    'aria-describedby': 'percentile-rule percentile-now percentile-error',
  });
  private readonly percentileNow = h('p', { id: 'percentile-now', class: 'help' });
  private readonly percentileError = h('p', { id: 'percentile-error', class: 'field-error' });
  private readonly grid = h('input', { id: 'grid', type: 'text', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'grid-help' });
  private readonly gridHelp = h('p', { id: 'grid-help', class: 'help' });
  private readonly objective = h('select', { id: 'objective' });
  private readonly run = h('button', { id: 'run-search', type: 'button' }, 'Run grid search');
  private readonly cancel = h('button', { id: 'cancel-search', type: 'button', class: 'secondary', disabled: true }, 'Cancel');
  private readonly progress = h('progress', { id: 'search-progress', max: '1', value: '0', 'aria-label': 'Grid search progress' });
  private readonly searchStatus = h('span', { id: 'search-status', class: 'status', role: 'status' });
  private readonly exportStatus = h('span', { id: 'export-status', class: 'status', role: 'status' });
  private readonly exports: HTMLButtonElement[];
  private current: PanelSettings;
  /** The P the last report used when the grid chose it (range 'bestOfGrid'). */
  private gridPercentile: number | null = null;

  constructor(initial: PanelSettings, private readonly events: ControlEvents) {
    this.current = initial;
    for (let b = minBits; b <= maxBits; b++) this.bits.append(h('option', { value: String(b) }, `${b}  (${formatCount(2 ** b)} levels)`));
    for (const [value, label] of Object.entries(rangeLabels)) this.range.append(h('option', { value }, label));
    for (const [value, label] of Object.entries(objectiveLabels)) this.objective.append(h('option', { value }, label));
    this.exports = exportButtons.map((b) => {
      const button = h('button', { id: b.id, type: 'button', class: 'secondary', title: b.title }, b.label);
      button.addEventListener('click', () => events.onExport(b.kind));
      return button;
    });
    this.progress.hidden = true;
    this.percentileError.hidden = true;

    const field = (id: string, label: string, ...rest: Node[]): HTMLElement => h('div', { class: 'field' }, h('label', { for: id }, label), ...rest);
    this.element = h(
      'section',
      { class: 'controls', 'aria-label': 'Quantization settings' },
      h(
        'div',
        { class: 'control-row' },
        field('bits', 'Bits', this.bits),
        field('range', 'Range', this.range),
        h(
          'div',
          { class: 'field percentile-field' },
          h('label', { for: 'percentile' }, 'Percentile P'),
          h('div', { class: 'percentile-inputs' }, this.slider, this.percentile),
          h('p', { id: 'percentile-rule', class: 'help rule' }, 'Keep values between the (100−P)th and the Pth percentile: (100−P)% clipped at each tail.'),
          this.percentileNow,
          this.percentileError,
        ),
      ),
      h(
        'div',
        { class: 'control-row' },
        field('grid', gridLabel, this.grid, this.gridHelp),
        field('objective', 'Objective', this.objective),
        h('div', { class: 'field actions' }, h('div', { class: 'buttons' }, this.run, this.cancel, this.progress), this.searchStatus),
      ),
      h('div', { class: 'control-row export-row', role: 'group', 'aria-labelledby': 'export-label' }, h('span', { id: 'export-label', class: 'group-label' }, 'Export'), ...this.exports, this.exportStatus),
    );

    this.bits.addEventListener('change', () => this.emit({ bits: Number(this.bits.value) }, 'now'));
    this.range.addEventListener('change', () => {
      this.emit({ range: this.range.value as PanelRange }, 'now');
      this.showPercentileState();
    });
    this.slider.addEventListener('input', () => {
      const p = Number(this.slider.value);
      this.percentile.value = formatPercentile(p);
      this.showPercentileError(null);
      this.emit({ percentile: p }, 'drag');
    });
    this.percentile.addEventListener('input', () => this.percentileTyped('typing'));
    this.percentile.addEventListener('change', () => this.percentileTyped('now'));
    this.grid.addEventListener('input', () => this.gridTyped('typing'));
    this.grid.addEventListener('change', () => this.gridTyped('now'));
    this.objective.addEventListener('change', () => this.emit({ objective: this.objective.value as Objective }, 'now'));
    this.run.addEventListener('click', () => events.onRunSearch());
    this.cancel.addEventListener('click', () => events.onCancelSearch());
    this.setSettings(initial);
  }

  /** Shows these settings without reporting a change. */
  setSettings(s: PanelSettings): void {
    this.current = s;
    this.bits.value = String(s.bits);
    this.range.value = s.range;
    this.objective.value = s.objective;
    if (document.activeElement !== this.percentile) this.percentile.value = formatPercentile(s.percentile);
    this.placeSlider(s.percentile);
    this.showPercentileError(null);
    if (document.activeElement !== this.grid) this.grid.value = s.grid;
    this.showGridCheck();
    this.showPercentileState();
  }

  /** The percentile the grid chose for the report on screen (shown when the range is 'best of grid'). */
  setGridPercentile(p: number | null): void {
    this.gridPercentile = p;
    this.showPercentileState();
  }

  /** True while the grid text is one the core accepts. */
  get isGridValid(): boolean {
    return checkGridText(this.grid.value).ok;
  }

  /** Switches between idle and a running search (with its progress, 0..1). */
  setSearchRunning(running: boolean, fraction = 0): void {
    const hadFocus = document.activeElement === (running ? this.run : this.cancel);
    this.run.disabled = running;
    this.cancel.disabled = !running;
    this.progress.hidden = !running;
    this.progress.value = fraction;
    this.progress.setAttribute('aria-valuetext', `${Math.round(fraction * 100)}%`);
    if (hadFocus) (running ? this.cancel : this.run).focus();
  }

  /** Says how the search went. */
  setSearchStatus(text: string): void {
    setText(this.searchStatus, text);
  }

  /** Says how the last export went. */
  setExportStatus(text: string): void {
    setText(this.exportStatus, text);
  }

  private emit(change: Partial<PanelSettings>, timing: ChangeTiming): void {
    this.current = { ...this.current, ...change };
    this.events.onSettings(change, timing);
  }

  private percentileTyped(timing: ChangeTiming): void {
    const p = this.percentile.valueAsNumber;
    if (!isValidPercentile(p)) {
      this.showPercentileError(this.percentile.value.trim() === '' ? 'Enter P, a number above 50 and at most 100.' : `P must be above 50 and at most 100; got ${this.percentile.value}.`);
      return;
    }
    this.showPercentileError(null);
    this.placeSlider(p);
    if (p !== this.current.percentile) this.emit({ percentile: p }, timing);
    this.showPercentileState();
  }

  private gridTyped(timing: ChangeTiming): void {
    const check = this.showGridCheck();
    if (check.ok && this.grid.value !== this.current.grid) this.emit({ grid: this.grid.value.trim() }, timing);
  }

  private showGridCheck(): GridCheck {
    const check = checkGridText(this.grid.value);
    this.grid.setAttribute('aria-invalid', String(!check.ok));
    this.gridHelp.classList.toggle('field-error', !check.ok);
    setText(this.gridHelp, gridHelpText(check));
    this.run.title = check.ok ? '' : 'Fix the grid first';
    return check;
  }

  private placeSlider(p: number): void {
    this.slider.min = String(p >= sliderNarrowMin ? sliderNarrowMin : sliderWideMin);
    this.slider.value = String(p);
    this.slider.setAttribute('aria-valuetext', `P = ${formatPercentile(p)}`);
  }

  private showPercentileError(message: string | null): void {
    this.percentile.setAttribute('aria-invalid', String(message !== null));
    this.percentileError.hidden = message === null;
    setText(this.percentileError, message ?? '');
  }

  /** The sentence under P: what the current choice keeps and clips, in this range mode. */
  private showPercentileState(): void {
    const range = this.range.value as PanelRange;
    const editable = range === 'percentile';
    const wasEditable = !this.percentile.disabled;
    this.slider.disabled = !editable;
    this.percentile.disabled = !editable;
    // Disabled, the inputs show the P in use (the grid's pick, or 100 for min-max); enabled again, the user's own P.
    const shown = range === 'bestOfGrid' ? this.gridPercentile : range === 'minmax' ? 100 : wasEditable ? null : this.current.percentile;
    if (shown !== null) {
      this.percentile.value = formatPercentile(shown);
      this.placeSlider(shown);
      this.showPercentileError(null);
    }
    if (range === 'minmax') {
      setText(this.percentileNow, 'Min-max keeps every value: nothing is clipped.');
      return;
    }
    const p = range === 'bestOfGrid' ? this.gridPercentile : this.percentile.valueAsNumber;
    if (p === null || !isValidPercentile(p)) {
      setText(this.percentileNow, range === 'bestOfGrid' ? 'The grid search picks P.' : '');
      return;
    }
    const tail = Number((100 - p).toFixed(10));
    const prefix = range === 'bestOfGrid' ? `The grid picked P = ${formatPercentile(p)}: keeps` : `Now: keeps`;
    setText(
      this.percentileNow,
      `${prefix} the values between the ${ordinal(tail)} and the ${ordinal(p)} percentile; ${formatShare(tail / 100)} clipped at each tail, ${formatShare((2 * tail) / 100)} in all.`,
    );
  }
}
