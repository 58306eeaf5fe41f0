import type { WebviewApi } from 'vscode-webview';
import type { ExportKind, FromWebview, PanelSettings, TensorListItem, ToWebview, WebviewState } from '../src/protocol/webview';
import type { QuantizeReport, SearchReport } from '../src/core/report/reportTypes';
import { assertNever } from './assertNever';
import { Banner } from './banner';
import { InspectorCharts } from './charts';
import { Controls, type ChangeTiming } from './controls';
import { h } from './dom';
import { formatCount } from './format';
import { isValidPercentile } from './gridText';
import { Header } from './header';
import { fallbackSettings, usableState } from './pageState';
import { RequestIds } from './requests';
import { ResultsTable } from './resultsTable';
import { observeThemeChanges, readChartTheme } from './themeColors';

/** At most one quantize request per this many ms while a slider drags (the last position is always sent). */
export const dragIntervalMs = 50;
/** Quiet time after a keystroke in a number or grid box before the request goes out. */
export const typingDebounceMs = 200;

/** What the page shows: the last answer it accepted. */
interface Shown {
  readonly fileName: string;
  readonly tensors: readonly TensorListItem[];
  readonly report: QuantizeReport;
  readonly baseline: QuantizeReport;
  readonly search: SearchReport | undefined;
}

/** The inspector page: renders what the host sends, and turns the user's changes into requests. */
export class Inspector {
  private readonly ids = new RequestIds();
  private readonly banner = new Banner();
  private readonly header: Header;
  private readonly controls: Controls;
  private readonly results = new ResultsTable();
  private readonly charts: InspectorCharts;
  private readonly loading = h('p', { class: 'loading', id: 'loading' }, 'Loading tensor…');
  private settings: PanelSettings;
  private fileUri: string;
  private logScale: boolean;
  private shown: Shown | undefined;
  /** The request whose report is on screen; older answers are stale. */
  private shownRequestId = 0;
  /** The last quantize sent: a search started before it no longer describes the controls. */
  private lastQuantizeId = 0;
  private sendTimer: ReturnType<typeof setTimeout> | undefined;
  private lastSentAt = 0;
  private renderQueued = false;

  constructor(private readonly root: HTMLElement, private readonly api: WebviewApi<WebviewState>) {
    const state = usableState(api.getState());
    this.settings = state?.settings ?? fallbackSettings;
    this.fileUri = state?.fileUri ?? '';
    this.logScale = state?.logScale ?? false;

    this.header = new Header((tensor) => this.change({ tensor }, 'now'));
    this.controls = new Controls(this.settings, {
      onSettings: (change, timing) => this.change(change, timing),
      onRunSearch: () => this.runSearch(),
      onCancelSearch: () => this.cancelSearch(),
      onExport: (kind) => this.exportAs(kind),
    });
    this.charts = new InspectorCharts(readChartTheme(), (on) => {
      this.logScale = on;
      this.saveState();
      this.queueRender();
    });
    this.charts.element.hidden = true;
    this.results.element.hidden = true;
    this.header.element.hidden = true;
    root.replaceChildren(this.banner.element, this.header.element, h('div', { class: 'top' }, this.controls.element, this.loading, this.results.element), this.charts.element);
    root.setAttribute('aria-busy', 'true');
    this.charts.logScaleBox.checked = this.logScale;
    observeThemeChanges(() => this.charts.setTheme(readChartTheme()));
  }

  /** Handles one message from the host. */
  receive(msg: ToWebview): void {
    switch (msg.type) {
      case 'show':
        this.settings = msg.settings;
        if (msg.fileUri !== undefined) this.fileUri = msg.fileUri;
        this.shown = { fileName: msg.fileName, tensors: msg.tensors, report: msg.report, baseline: msg.baseline, search: msg.search };
        this.controls.setSettings(msg.settings);
        this.banner.clear();
        this.saveState();
        this.queueRender();
        break;
      case 'quantized':
        if (!this.ids.isIssued(msg.requestId) || msg.requestId <= this.shownRequestId || !this.shown) return;
        this.shownRequestId = msg.requestId;
        this.shown = { ...this.shown, report: msg.report, baseline: msg.baseline };
        if (this.ids.isLatest('quantize', msg.requestId)) {
          this.ids.settle('quantize', msg.requestId);
          this.banner.clear();
        }
        this.queueRender();
        break;
      case 'progress':
        if (this.ids.isLatest('runSearch', msg.requestId)) this.controls.setSearchRunning(true, msg.fraction);
        break;
      case 'searchResult':
        if (!this.ids.isLatest('runSearch', msg.requestId) || !this.shown) return;
        this.ids.settle('runSearch', msg.requestId);
        this.controls.setSearchRunning(false);
        this.shown = { ...this.shown, search: msg.search };
        this.controls.setSearchStatus(`Searched ${formatCount(msg.search.curve.length)} percentiles.`);
        if (msg.requestId > this.shownRequestId && msg.requestId > this.lastQuantizeId) {
          // No quantize was sent since the search started: its report and settings are the current ones.
          this.shownRequestId = msg.requestId;
          this.shown = { ...this.shown, report: msg.report, baseline: msg.baseline };
          this.settings = msg.settings;
          this.controls.setSettings(msg.settings);
          this.saveState();
        }
        this.banner.clear();
        this.queueRender();
        break;
      case 'exported':
        if (!this.ids.isLatest('export', msg.requestId)) return;
        this.ids.settle('export', msg.requestId);
        this.controls.setExportStatus(msg.message);
        break;
      case 'failed':
        this.failed(msg.requestId, msg.message);
        break;
      default:
        assertNever(msg);
    }
  }

  private failed(requestId: number | undefined, message: string): void {
    if (requestId === undefined) {
      this.banner.show(message);
      this.loading.hidden = true;
      this.root.setAttribute('aria-busy', 'false');
      return;
    }
    if (this.ids.isLatest('runSearch', requestId)) {
      this.ids.settle('runSearch', requestId);
      this.controls.setSearchRunning(false);
      if (isCancelled(message)) {
        this.controls.setSearchStatus('Search cancelled.');
        return;
      }
      this.controls.setSearchStatus('Search failed.');
      this.banner.show(message);
    } else if (this.ids.isLatest('quantize', requestId)) {
      this.ids.settle('quantize', requestId);
      this.root.setAttribute('aria-busy', 'false');
      if (!isCancelled(message)) this.banner.show(message);
    } else if (this.ids.isLatest('export', requestId)) {
      this.ids.settle('export', requestId);
      this.controls.setExportStatus(isCancelled(message) ? 'Export cancelled.' : 'Export failed.');
      if (!isCancelled(message)) this.banner.show(message);
    }
  }

  private change(change: Partial<PanelSettings>, timing: ChangeTiming): void {
    this.settings = { ...this.settings, ...change };
    this.saveState();
    if (!isValidPercentile(this.settings.percentile)) return;
    if (this.sendTimer !== undefined) clearTimeout(this.sendTimer);
    this.sendTimer = undefined;
    if (timing === 'now') {
      this.sendQuantize();
    } else if (timing === 'drag') {
      const wait = Math.max(0, this.lastSentAt + dragIntervalMs - performance.now());
      if (wait === 0) this.sendQuantize();
      else this.sendTimer = setTimeout(() => this.sendQuantize(), wait);
    } else {
      this.sendTimer = setTimeout(() => this.sendQuantize(), typingDebounceMs);
    }
  }

  private sendQuantize(): void {
    this.sendTimer = undefined;
    this.lastSentAt = performance.now();
    const requestId = this.ids.next('quantize');
    this.lastQuantizeId = requestId;
    this.root.setAttribute('aria-busy', 'true');
    this.post({ type: 'quantize', requestId, settings: this.settings });
  }

  private runSearch(): void {
    if (!this.controls.isGridValid) {
      this.controls.setSearchStatus('Fix the grid first.');
      return;
    }
    if (this.sendTimer !== undefined) {
      clearTimeout(this.sendTimer);
      this.sendTimer = undefined;
    }
    const requestId = this.ids.next('runSearch');
    this.controls.setSearchRunning(true, 0);
    this.controls.setSearchStatus('Searching…');
    this.post({ type: 'runSearch', requestId, settings: this.settings });
  }

  private cancelSearch(): void {
    const requestId = this.ids.latestOf('runSearch');
    if (requestId === undefined) return;
    this.ids.settle('runSearch', requestId);
    this.post({ type: 'cancel', requestId });
    this.controls.setSearchRunning(false);
    this.controls.setSearchStatus('Search cancelled.');
  }

  private exportAs(kind: ExportKind): void {
    const requestId = this.ids.next('export');
    this.controls.setExportStatus('Exporting…');
    this.post({ type: 'export', requestId, kind, settings: this.settings });
  }

  private post(msg: FromWebview): void {
    this.api.postMessage(msg);
  }

  /** Saves the state once the host has said which file this is (a state without one cannot revive a panel). */
  private saveState(): void {
    if (this.fileUri === '') return;
    this.api.setState({ fileUri: this.fileUri, settings: this.settings, logScale: this.logScale });
  }

  /** Renders once per frame however many answers arrived in it. */
  private queueRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  private render(): void {
    const s = this.shown;
    if (!s) return;
    this.loading.hidden = true;
    this.header.element.hidden = false;
    this.results.element.hidden = false;
    this.charts.element.hidden = false;
    if (this.ids.latestOf('quantize') === undefined) this.root.setAttribute('aria-busy', 'false');
    this.header.render(s.fileName, s.tensors, s.report.tensor, s.report.warnings);
    this.controls.setGridPercentile(this.settings.range === 'bestOfGrid' ? s.report.params.percentile : null);
    this.results.render(s.report, s.baseline);
    this.charts.update({ report: s.report, search: s.search, logScale: this.logScale });
    document.title = `${s.fileName} — ${s.report.tensor.name}`;
  }
}

/** The host's answer to a cancelled request (src/protocol/webview.ts, `cancel`). */
function isCancelled(message: string): boolean {
  return message === 'Cancelled.';
}
