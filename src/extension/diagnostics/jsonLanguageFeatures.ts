import * as vscode from 'vscode';
import { formatNumber } from '../../core/report/formatNumber';
import { commandIds } from '../commands/commandIds';
import type { DisposableLike } from '../dispose';
import { DisposableStore } from '../dispose';
import type { JsonTensorFiles } from './jsonTensorFiles';

/** The documents hovers and CodeLenses are offered on (the analysis decides which are tensor files). */
export const jsonSelector: vscode.DocumentSelector = [{ language: 'json' }, { language: 'jsonc' }];

/** A hover on a number of a JSON tensor: its code, its dequantized value and its error. */
export class JsonTensorHover implements vscode.HoverProvider {
  constructor(private readonly files: JsonTensorFiles) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const info = await this.files.inspect(document, position, token);
    if (info === null || token.isCancellationRequested) return undefined;
    const index = info.index.length === 0 ? '' : `[${info.index.join(', ')}]`;
    const range = new vscode.Range(document.positionAt(info.range.start), document.positionAt(info.range.end));
    const written = document.getText(range).slice(0, 40);
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**Clipwise** · \`${info.tensor.replace(/`/g, "'")}${index}\` · ${info.bits}-bit\n\n`);
    if (!Number.isFinite(info.value)) {
      md.appendMarkdown(`${written} is left out of every statistic and error; it takes code ${info.code}.`);
    } else {
      md.appendMarkdown(`| value | code | dequantized | error |\n|---:|---:|---:|---:|\n`);
      md.appendMarkdown(`| ${written} | ${info.code} | ${formatNumber(info.dequantized)} | ${formatNumber(info.error)} |\n\n`);
      if (info.isClipped) md.appendMarkdown('Clipped: outside the clip range.');
    }
    return new vscode.Hover(md, range);
  }
}

/** "Quantize Tensor" and "Find Best Percentile" above each tensor of a JSON tensor file. */
export class JsonTensorCodeLens implements vscode.CodeLensProvider, DisposableLike {
  private readonly store = new DisposableStore();
  private readonly changed = this.store.add(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly files: JsonTensorFiles) {
    this.store.add(files.onDidAnalyze(() => this.changed.fire()));
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const analysis = this.files.analysisOf(document);
    if (analysis === undefined) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const tensor of analysis.tensors) {
      const at = document.positionAt((tensor.keySpan ?? tensor.span).start);
      const range = new vscode.Range(at, at);
      const args = [document.uri, tensor.name];
      lenses.push(
        new vscode.CodeLens(range, { title: 'Quantize Tensor', command: commandIds.quantizeTensor, arguments: args, tooltip: `Open '${tensor.name}' in the Clipwise inspector` }),
        new vscode.CodeLens(range, { title: 'Find Best Percentile', command: commandIds.findBestPercentile, arguments: args, tooltip: `Grid-search the clipping percentile of '${tensor.name}'` }),
      );
    }
    return lenses;
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** Registers the hover and the CodeLens on JSON tensor files. */
export function registerJsonLanguageFeatures(context: vscode.ExtensionContext, files: JsonTensorFiles): void {
  const codeLens = new JsonTensorCodeLens(files);
  context.subscriptions.push(
    codeLens,
    vscode.languages.registerHoverProvider(jsonSelector, new JsonTensorHover(files)),
    vscode.languages.registerCodeLensProvider(jsonSelector, codeLens),
  );
}
