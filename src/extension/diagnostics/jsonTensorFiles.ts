import * as vscode from 'vscode';
import type { JsonAnalysis, JsonElementInfo, DiagnosticRecord } from '../../protocol/worker';
import { quantizeOptionsOf, type ClipwiseSettings } from '../config/settings';
import type { QuantizeOptions } from '../../core/quant/clipRange';
import { DisposableStore, type DisposableLike } from '../dispose';
import { fileNameOf } from '../fileAccess';
import { log } from '../log';
import type { PanelChoices } from '../panel/panelChoices';
import { logFailure } from '../reportError';
import type { Services } from '../services';
import type { WorkerClient } from '../workerClient';
import { isJsonTensorDocument, jsonTensorFilesContextKey } from './jsonTensorRule';

/** Quiet time after an edit before a document is analysed again. */
export const analysisDebounceMs = 300;

/** The `source` of every Clipwise diagnostic. */
export const diagnosticSource = 'Clipwise';

interface Tracked {
  readonly document: vscode.TextDocument;
  timer?: ReturnType<typeof setTimeout>;
  controller?: AbortController;
  /** The analysis in flight, if any. */
  running?: Promise<void>;
  analysis?: JsonAnalysis;
}

const severities: Readonly<Record<DiagnosticRecord['severity'], vscode.DiagnosticSeverity>> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

/** Characters of a document's start the tensor rule looks at (looksLikeJsonTensorText reads no further). */
export const ruleHeadChars = 16_384;

/** The start of a document's text, without copying the whole of a large one on every keystroke. */
function textHead(document: vscode.TextDocument): string {
  return document.getText(new vscode.Range(new vscode.Position(0, 0), document.positionAt(ruleHeadChars)));
}

/** A diagnostic record placed in the document it was computed from. */
export function toDiagnostic(document: vscode.TextDocument, record: DiagnosticRecord): vscode.Diagnostic {
  const range = new vscode.Range(document.positionAt(record.range.start), document.positionAt(record.range.end));
  const diagnostic = new vscode.Diagnostic(range, record.message, severities[record.severity]);
  diagnostic.source = diagnosticSource;
  diagnostic.code = record.kind;
  return diagnostic;
}

/**
 * The open JSON tensor files of the workspace (see jsonTensorRule.ts): each is analysed in the worker
 * when opened and, debounced, after each edit, with the panel's last choice for the file (else the
 * settings); the analysis feeds the diagnostics, hovers, CodeLenses and the status bar. Files outside
 * the workspace (the user's settings.json, say) are never looked at.
 */
export class JsonTensorFiles implements DisposableLike {
  private readonly tracked = new Map<string, Tracked>();
  private readonly store = new DisposableStore();
  private readonly collection = this.store.add(vscode.languages.createDiagnosticCollection('clipwise'));
  private readonly analysed = this.store.add(new vscode.EventEmitter<vscode.Uri>());
  private contextPaths = '';

  /** Fires with a document whose analysis changed (or was dropped). */
  readonly onDidAnalyze = this.analysed.event;

  constructor(
    private readonly worker: WorkerClient,
    private readonly settings: () => ClipwiseSettings,
    private readonly choices: PanelChoices,
    onDidChangeSettings: vscode.Event<void>,
  ) {
    this.store.add(vscode.workspace.onDidOpenTextDocument((d) => this.consider(d, 0)));
    this.store.add(vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length > 0 && this.consider(e.document, analysisDebounceMs)));
    this.store.add(vscode.workspace.onDidCloseTextDocument((d) => this.untrack(d.uri)));
    this.store.add(vscode.workspace.onDidChangeWorkspaceFolders(() => this.considerAll()));
    this.store.add(onDidChangeSettings(() => this.rerunAll()));
    this.store.add(choices.onDidChange((uri) => {
      const t = this.tracked.get(uri.toString());
      if (t) this.schedule(t, 0);
    }));
    this.store.add({ dispose: () => this.stopAll() });
    this.considerAll();
  }

  /** The last analysis of a document, when it matches the document's current version. */
  analysisOf(document: vscode.TextDocument): JsonAnalysis | undefined {
    const analysis = this.tracked.get(document.uri.toString())?.analysis;
    return analysis !== undefined && analysis.version === document.version ? analysis : undefined;
  }

  /** The name of the tensor written around `offset` (its name or value), analysing the current text first if need be. */
  async tensorAt(document: vscode.TextDocument, offset: number): Promise<string | undefined> {
    const analysis = await this.currentAnalysis(document);
    return analysis?.tensors.find((t) => offset >= (t.keySpan ?? t.span).start && offset <= t.span.end)?.name;
  }

  /** The analysis of the document's current version: the last one, the one running, or a new one. */
  private async currentAnalysis(document: vscode.TextDocument): Promise<JsonAnalysis | undefined> {
    const t = this.tracked.get(document.uri.toString());
    if (t === undefined) return undefined;
    if (t.analysis?.version === document.version) return t.analysis;
    if (t.running === undefined || t.timer !== undefined) {
      if (t.timer !== undefined) clearTimeout(t.timer);
      t.timer = undefined;
      t.running = this.analyze(t);
    }
    await t.running;
    return this.analysisOf(document);
  }

  /** True when the document is an open JSON tensor file being analysed. */
  isTensorDocument(uri: vscode.Uri): boolean {
    return this.tracked.has(uri.toString());
  }

  /** The number at `position` with its code, dequantized value and error, from the last analysis. */
  async inspect(document: vscode.TextDocument, position: vscode.Position, token?: vscode.CancellationToken): Promise<JsonElementInfo | null> {
    if (this.analysisOf(document) === undefined) return null;
    const controller = new AbortController();
    const listener = token?.onCancellationRequested(() => controller.abort());
    try {
      return await this.worker.call(
        'inspectJsonElement',
        { key: document.uri.toString(), version: document.version, offset: document.offsetAt(position) },
        { signal: controller.signal },
      );
    } catch (err) {
      logFailure('Hover', err, document.uri);
      return null;
    } finally {
      listener?.dispose();
    }
  }

  dispose(): void {
    this.store.dispose();
  }

  private considerAll(): void {
    for (const d of vscode.workspace.textDocuments) this.consider(d, 0);
  }

  private rerunAll(): void {
    for (const t of this.tracked.values()) this.schedule(t, 0);
  }

  /** Starts or stops following a document as its name, place and text make it a tensor file or not. */
  private consider(document: vscode.TextDocument, delayMs: number): void {
    const key = document.uri.toString();
    const isInWorkspace = vscode.workspace.getWorkspaceFolder(document.uri) !== undefined;
    const isTensor = isInWorkspace && isJsonTensorDocument({ path: document.uri.path, languageId: document.languageId, text: () => textHead(document) });
    const known = this.tracked.get(key);
    if (!isTensor) {
      if (known) this.untrack(document.uri);
      return;
    }
    const t = known ?? { document };
    if (!known) {
      this.tracked.set(key, t);
      this.updateContextKey();
    }
    this.schedule(t, delayMs);
  }

  private schedule(t: Tracked, delayMs: number): void {
    if (t.timer !== undefined) clearTimeout(t.timer);
    t.timer = setTimeout(() => {
      t.timer = undefined;
      t.running = this.analyze(t);
    }, delayMs);
  }

  /** The quantization the diagnostics show: the panel's last choice for the file, else the settings. */
  private optionsFor(uri: vscode.Uri, settings: ClipwiseSettings): QuantizeOptions {
    const choice = this.choices.get(uri);
    if (choice) return quantizeOptionsOf(choice.settings, choice.bestPercentile);
    return { bits: settings.bits, range: settings.range, percentile: settings.percentile };
  }

  private async analyze(t: Tracked): Promise<void> {
    t.controller?.abort();
    const controller = new AbortController();
    t.controller = controller;
    const { document } = t;
    const settings = this.settings();
    const version = document.version;
    try {
      const analysis = await this.worker.call(
        'analyzeJson',
        {
          key: document.uri.toString(),
          version,
          text: document.getText(),
          fileName: fileNameOf(document.uri),
          options: this.optionsFor(document.uri, settings),
          diagnostics: { maxPerFile: settings.diagnostics.maxPerFile, errorThreshold: settings.diagnostics.errorThreshold },
          limits: { maxTensorBytes: settings.maxTensorBytes },
        },
        { signal: controller.signal },
      );
      if (this.tracked.get(document.uri.toString()) !== t || document.isClosed || document.version !== analysis.version) return;
      t.analysis = analysis;
      if (settings.diagnostics.enabled) this.collection.set(document.uri, analysis.diagnostics.map((r) => toDiagnostic(document, r)));
      else this.collection.delete(document.uri);
      log.debug(`Analysed ${fileNameOf(document.uri)} (version ${version}): ${analysis.tensors.length} tensors, ${analysis.diagnostics.length} diagnostics.`);
      this.analysed.fire(document.uri);
    } catch (err) {
      logFailure('JSON diagnostics', err, document.uri);
    } finally {
      if (t.controller === controller) {
        t.controller = undefined;
        t.running = undefined;
      }
    }
  }

  private untrack(uri: vscode.Uri): void {
    const key = uri.toString();
    const t = this.tracked.get(key);
    if (t === undefined) return;
    if (t.timer !== undefined) clearTimeout(t.timer);
    t.controller?.abort();
    this.tracked.delete(key);
    this.collection.delete(uri);
    if (this.worker.isRunning) void this.worker.call('forgetJson', { key }).catch(() => undefined);
    this.updateContextKey();
    this.analysed.fire(uri);
  }

  private stopAll(): void {
    for (const t of this.tracked.values()) {
      if (t.timer !== undefined) clearTimeout(t.timer);
      t.controller?.abort();
    }
    this.tracked.clear();
  }

  /** Publishes the open JSON tensor files' paths for the menus' `resourcePath in clipwise.jsonTensorFiles`. */
  private updateContextKey(): void {
    const paths = new Set<string>();
    for (const t of this.tracked.values()) {
      const uri = t.document.uri;
      // The workbench's resourcePath is the fsPath for file URIs, and the URI path otherwise (remote windows).
      if (uri.scheme === 'file') paths.add(uri.fsPath);
      paths.add(uri.path);
    }
    const list = [...paths].sort();
    const joined = list.join('\n');
    if (joined === this.contextPaths) return;
    this.contextPaths = joined;
    void vscode.commands.executeCommand('setContext', jsonTensorFilesContextKey, list);
  }
}

/** Follows the workspace's open JSON tensor files (diagnostics, context key); hovers and CodeLenses read it. */
export function registerJsonTensorFiles(context: vscode.ExtensionContext, services: Services): JsonTensorFiles {
  const files = new JsonTensorFiles(services.jsonWorker, () => services.settings.get(), services.choices, services.settings.onDidChange);
  context.subscriptions.push(files);
  return files;
}
