import * as vscode from 'vscode';
import type { SearchReport } from '../../core/report/reportTypes';
import { isFromWebview } from '../../protocol/guards';
import type { ExportKind, FromWebview, PanelSettings, TensorListItem, ToWebview } from '../../protocol/webview';
import type { ListResult } from '../../protocol/worker';
import type { Exporter } from '../commands/exports';
import { panelSettingsFrom, type ClipwiseSettings } from '../config/settings';
import { DisposableStore, type DisposableLike } from '../dispose';
import { fileNameOf } from '../fileAccess';
import { log } from '../log';
import type { Numerics, Resolved } from '../numerics';
import { logFailure } from '../reportError';
import type { TensorStatuses } from '../status/tensorStatus';
import type { ActiveInspector } from './activeInspector';
import { InspectorRecord, type InspectorRegistry, type InspectorSnapshot } from './inspectorRegistry';
import type { PanelChoices } from './panelChoices';

/** What an inspector needs from the rest of the extension. */
export interface InspectorDeps {
  readonly numerics: Numerics;
  readonly settings: { get(): ClipwiseSettings };
  readonly choices: PanelChoices;
  readonly statuses: TensorStatuses;
  readonly exporter: Exporter;
  readonly active: ActiveInspector;
  readonly inspectors: InspectorRegistry;
}

/** What a command already knows when it opens an inspector (so the first `show` needs no recompute). */
export interface InspectorStart {
  readonly tensor?: string;
  readonly settings?: PanelSettings;
  readonly listing?: ListResult;
  readonly resolved?: Resolved;
}

/** Requests that replace the older one of their kind: a new quantize aborts the old quantize, and so on. */
type Slot = 'show' | 'quantize' | 'runSearch';

interface Running {
  readonly requestId: number | undefined;
  readonly tensor: string;
  readonly controller: AbortController;
}

/** The page's answer to a cancelled request (src/protocol/webview.ts, `cancel`). */
const cancelledMessage = 'Cancelled.';

/** The page's tensor picker items. */
function listItems(listing: ListResult): TensorListItem[] {
  return listing.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, count: t.count }));
}

/**
 * The host side of one inspector page (a panel or a .npy editor): answers every request of the page
 * through the worker, replaces an older request of a kind by a newer one (aborting it), and records
 * what it shows as the file's last choice and status.
 */
export class InspectorSession implements DisposableLike {
  private readonly store = new DisposableStore();
  private readonly running = new Map<Slot, Running>();
  private readonly searches = new Map<string, SearchReport>();
  private readonly changedTensor = this.store.add(new vscode.EventEmitter<string>());
  private settings: PanelSettings | undefined;
  private listing: ListResult | undefined;
  private start: InspectorStart;
  private readonly record: InspectorRecord;

  /** Fires when the page switches to another tensor of the file. */
  readonly onDidChangeTensor = this.changedTensor.event;

  constructor(
    private readonly webview: vscode.Webview,
    readonly uri: vscode.Uri,
    private readonly deps: InspectorDeps,
    start: InspectorStart = {},
    kind: InspectorSnapshot['kind'] = 'panel',
  ) {
    this.record = new InspectorRecord(kind, uri.toString());
    this.store.add({ dispose: deps.inspectors.add(this.record) });
    this.start = start;
    this.settings = start.settings;
    this.listing = start.listing;
    if (start.resolved?.search) this.searches.set(start.resolved.search.search.tensor.name, start.resolved.search.search);
    this.store.add(webview.onDidReceiveMessage((message: unknown) => this.receive(message)));
    this.store.add({ dispose: () => deps.statuses.release(this) });
  }

  /** The tensor shown (or about to be). */
  get tensor(): string | undefined {
    return this.settings?.tensor ?? this.start.tensor;
  }

  /** The controls as the page last set them. */
  get currentSettings(): PanelSettings | undefined {
    return this.settings;
  }

  /** Shows new results a command computed (the page redraws from `show`). */
  showStart(start: InspectorStart): void {
    this.start = start;
    if (start.settings) this.settings = start.settings;
    if (start.listing) this.listing = start.listing;
    if (start.resolved?.search) this.searches.set(start.resolved.search.search.tensor.name, start.resolved.search.search);
    void this.show();
  }

  /** Handles one message of the page; malformed ones are logged and dropped. */
  receive(message: unknown): void {
    if (!isFromWebview(message)) {
      log.warn(`Ignored a malformed message from the inspector of ${fileNameOf(this.uri)}.`);
      return;
    }
    const msg: FromWebview = message;
    switch (msg.type) {
      case 'ready':
        void this.show();
        break;
      case 'quantize':
        void this.quantize(msg.requestId, msg.settings);
        break;
      case 'runSearch':
        void this.runSearch(msg.requestId, msg.settings);
        break;
      case 'cancel':
        this.cancel(msg.requestId);
        break;
      case 'export':
        void this.export(msg.requestId, msg.kind, msg.settings);
        break;
      default:
        assertNever(msg);
    }
  }

  dispose(): void {
    for (const r of this.running.values()) r.controller.abort();
    this.running.clear();
    this.store.dispose();
  }

  /** Everything the page draws, answered to `ready` (start-up is pulled), or pushed after a command. */
  private async show(): Promise<void> {
    const job = this.begin('show', undefined, this.tensor ?? '');
    const signal = job.controller.signal;
    try {
      const listing = this.listing ?? (await this.deps.numerics.list(this.uri, { signal }));
      this.listing = listing;
      const names = listing.tensors.map((t) => t.name);
      const settings = this.initialSettings(names);
      const start = this.start;
      this.start = {};
      const usable = start.resolved && start.resolved.result.report.tensor.name === settings.tensor ? start.resolved : undefined;
      const resolved = usable ?? (await this.deps.numerics.resolve(this.uri, settings, { signal }));
      this.accept(settings, resolved);
      this.post({
        type: 'show',
        fileName: fileNameOf(this.uri),
        fileUri: this.uri.toString(),
        tensors: listItems(listing),
        settings: this.settings ?? settings,
        report: resolved.result.report,
        baseline: resolved.result.baseline,
        ...(this.searches.has(settings.tensor) ? { search: this.searches.get(settings.tensor) } : {}),
      });
    } catch (err) {
      const message = this.failureMessage('Opening the inspector', err);
      if (message !== undefined) this.post({ type: 'failed', message });
    } finally {
      this.end('show', job);
    }
  }

  /** The controls to start from: the session's, a command's, the file's last choice, else the settings. */
  private initialSettings(names: readonly string[]): PanelSettings {
    const first = names[0] ?? '';
    const wanted = this.settings?.tensor ?? this.start.tensor;
    const tensor = wanted !== undefined && names.includes(wanted) ? wanted : first;
    if (this.settings && this.settings.tensor === tensor) return this.settings;
    const choice = this.deps.choices.get(this.uri)?.settings;
    if (choice) return { ...choice, tensor };
    return panelSettingsFrom(this.deps.settings.get(), tensor);
  }

  private async quantize(requestId: number, settings: PanelSettings): Promise<void> {
    const search = this.running.get('runSearch');
    if (search && search.tensor !== settings.tensor) search.controller.abort();
    const isOtherTensor = settings.tensor !== this.settings?.tensor;
    this.settings = settings;
    if (isOtherTensor) this.changedTensor.fire(settings.tensor);
    const job = this.begin('quantize', requestId, settings.tensor);
    try {
      const resolved = await this.deps.numerics.resolve(this.uri, settings, { signal: job.controller.signal });
      this.accept(settings, resolved);
      this.post({
        type: 'quantized',
        requestId,
        settings,
        report: resolved.result.report,
        baseline: resolved.result.baseline,
        ...(resolved.search ? { search: resolved.search.search } : {}),
      });
    } catch (err) {
      this.postFailure(requestId, 'Quantizing', err);
    } finally {
      this.end('quantize', job);
    }
  }

  private async runSearch(requestId: number, settings: PanelSettings): Promise<void> {
    const job = this.begin('runSearch', requestId, settings.tensor);
    try {
      const result = await this.deps.numerics.search(this.uri, settings.tensor, settings, {
        signal: job.controller.signal,
        onProgress: (fraction) => this.post({ type: 'progress', requestId, fraction }),
      });
      const searched: PanelSettings = { ...settings, range: 'bestOfGrid' };
      this.accept(searched, { result: { report: result.report, baseline: result.baseline }, search: result });
      this.post({ type: 'searchResult', requestId, settings: searched, search: result.search, report: result.report, baseline: result.baseline });
    } catch (err) {
      this.postFailure(requestId, 'Grid search', err);
    } finally {
      this.end('runSearch', job);
    }
  }

  private cancel(requestId: number): void {
    for (const r of this.running.values()) if (r.requestId === requestId) r.controller.abort();
  }

  private async export(requestId: number, kind: ExportKind, settings: PanelSettings): Promise<void> {
    try {
      const { message } = await this.deps.exporter.run(kind, { uri: this.uri, settings });
      this.post({ type: 'exported', requestId, message });
    } catch (err) {
      this.postFailure(requestId, 'Export', err);
    }
  }

  /** Records a result: the session's controls, the file's last choice, and what the status bar shows. */
  private accept(settings: PanelSettings, resolved: Resolved): void {
    this.settings = settings;
    if (resolved.search) this.searches.set(settings.tensor, resolved.search.search);
    const best = resolved.search ? resolved.search.search.best.percentile : undefined;
    const known = settings.range === 'bestOfGrid' && best !== undefined ? { bestPercentile: best } : {};
    this.deps.choices.set(this.uri, { settings, ...known });
    this.deps.statuses.set(this, this.uri, resolved.result.report);
  }

  /** Starts a request in its slot, aborting the one it replaces. */
  private begin(slot: Slot, requestId: number | undefined, tensor: string): Running {
    this.running.get(slot)?.controller.abort();
    const job: Running = { requestId, tensor, controller: new AbortController() };
    this.running.set(slot, job);
    return job;
  }

  private end(slot: Slot, job: Running): void {
    if (this.running.get(slot) === job) this.running.delete(slot);
  }

  private postFailure(requestId: number, action: string, err: unknown): void {
    this.post({ type: 'failed', requestId, message: this.failureMessage(action, err) ?? cancelledMessage });
  }

  /** The message the page shows for a failure (undefined when cancelled), logged as style guide §6 says. */
  private failureMessage(action: string, err: unknown): string | undefined {
    const verdict = logFailure(action, err, this.uri);
    return verdict.kind === 'cancelled' ? undefined : verdict.message;
  }

  private post(message: ToWebview): void {
    if (this.store.isDisposed) return;
    this.record.posted(message);
    void this.webview.postMessage(message).then(undefined, () => undefined);
  }
}

function assertNever(x: never): never {
  throw new Error(`Unexpected message ${JSON.stringify(x)}`);
}
