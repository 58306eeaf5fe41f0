import * as vscode from 'vscode';
import { commandIds } from '../commands/commandIds';
import { formatNumber } from '../../core/report/formatNumber';
import type { QuantizeReport } from '../../core/report/reportTypes';
import { formatShape } from '../../core/tensor';
import type { JsonTensorFiles } from '../diagnostics/jsonTensorFiles';
import { DisposableStore, type DisposableLike } from '../dispose';
import { fileNameOf, isBinaryTensorPath } from '../fileAccess';
import type { ActiveInspector } from '../panel/activeInspector';
import { schemeText, sqnrText, statusText, summaryLine } from '../reportText';
import type { Services } from '../services';
import type { TensorStatuses } from './tensorStatus';

/**
 * The status bar item: the active tensor's dtype, shape and current MSE — the focused inspector's
 * tensor, or in a JSON tensor file the tensor under the cursor.
 */
export class TensorStatusBar implements DisposableLike {
  private readonly store = new DisposableStore();
  private readonly item = this.store.add(vscode.window.createStatusBarItem('clipwise.tensor', vscode.StatusBarAlignment.Right, 100));

  constructor(
    private readonly active: ActiveInspector,
    private readonly statuses: TensorStatuses,
    private readonly jsonFiles: JsonTensorFiles,
  ) {
    this.item.name = 'Clipwise: active tensor';
    const update = (): void => this.update();
    this.store.add(active.onDidChange(update));
    this.store.add(statuses.onDidChange(update));
    this.store.add(jsonFiles.onDidAnalyze(update));
    this.store.add(vscode.window.onDidChangeActiveTextEditor(update));
    this.store.add(vscode.window.onDidChangeTextEditorSelection((e) => e.textEditor === vscode.window.activeTextEditor && update()));
    update();
  }

  private update(): void {
    const session = this.active.current;
    if (session) {
      const status = this.statuses.of(session);
      if (status) this.showReport(status.uri, status.report);
      else this.item.hide();
      return;
    }
    const editor = vscode.window.activeTextEditor;
    const analysis = editor ? this.jsonFiles.analysisOf(editor.document) : undefined;
    if (!editor || !analysis || analysis.tensors.length === 0) {
      this.item.hide();
      return;
    }
    const offset = editor.document.offsetAt(editor.selection.active);
    const tensor = analysis.tensors.find((t) => offset >= (t.keySpan ?? t.span).start && offset < t.span.end) ?? analysis.tensors[0];
    const q = tensor.quantization;
    this.item.text = `$(symbol-numeric) ${statusText(tensor.dtype, tensor.shape, q?.metrics.mse)}`;
    const md = new vscode.MarkdownString();
    md.appendText(`Clipwise — '${tensor.name}' of ${fileNameOf(editor.document.uri)}\n\n`);
    md.appendText(`${tensor.dtype} ${formatShape(tensor.shape)}, ${tensor.count} values`);
    if (q) md.appendText(`\n\n${q.bits}-bit: scale ${formatNumber(q.scale)}, zero point ${formatNumber(q.zeroPoint)}, MSE ${formatNumber(q.metrics.mse)}, SQNR ${sqnrText(q.metrics.sqnrDb)}, ${q.metrics.clippedCount} clipped`);
    this.item.tooltip = md;
    this.item.command = { title: 'Quantize Tensor', command: commandIds.quantizeTensor, arguments: [editor.document.uri, tensor.name] };
    this.item.show();
  }

  private showReport(uri: vscode.Uri, report: QuantizeReport): void {
    const t = report.tensor;
    this.item.text = `$(symbol-numeric) ${statusText(t.dtype, t.shape, report.metrics.mse)}`;
    this.item.tooltip = `Clipwise — ${fileNameOf(uri)}: ${summaryLine(report)}`;
    this.item.command = undefined;
    this.item.show();
  }

  dispose(): void {
    this.store.dispose();
  }
}

/**
 * For binary tensor files (.npy, .npz, .safetensors) shown in an inspector: the summary of what the
 * inspector shows, and the report's warnings, in the Problems panel on the file.
 */
export class BinaryTensorSummaries implements DisposableLike {
  private readonly store = new DisposableStore();
  private readonly collection = this.store.add(vscode.languages.createDiagnosticCollection('clipwise-tensor-files'));

  constructor(private readonly statuses: TensorStatuses) {
    this.store.add(statuses.onDidChange((uri) => this.update(uri)));
  }

  private update(uri: vscode.Uri): void {
    if (!isBinaryTensorPath(uri.path)) return;
    const status = this.statuses.latest(uri);
    if (status === undefined) {
      this.collection.delete(uri);
      return;
    }
    const top = new vscode.Range(0, 0, 0, 0);
    const summary = new vscode.Diagnostic(top, summaryLine(status.report), vscode.DiagnosticSeverity.Information);
    summary.source = 'Clipwise';
    summary.code = 'summary';
    const warnings = status.report.warnings.map((w) => {
      const d = new vscode.Diagnostic(top, `${schemeText(status.report)}: ${w}`, vscode.DiagnosticSeverity.Warning);
      d.source = 'Clipwise';
      d.code = 'reportWarning';
      return d;
    });
    this.collection.set(uri, [summary, ...warnings]);
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** Registers the status bar item and the Problems-panel summaries of binary tensor files. */
export function registerStatusBar(context: vscode.ExtensionContext, services: Services, jsonFiles: JsonTensorFiles): void {
  context.subscriptions.push(new TensorStatusBar(services.active, services.statuses, jsonFiles), new BinaryTensorSummaries(services.statuses));
}
