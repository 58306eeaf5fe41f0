import * as vscode from 'vscode';
import { CancelledError, UsageError } from '../../core/errors';
import { formatShape } from '../../core/tensor';
import { writeFileAtomic } from '../../host/atomicWrite';
import type { ExportKind, PanelSettings } from '../../protocol/webview';
import { fileNameOf } from '../fileAccess';
import type { JobControl, Numerics } from '../numerics';
import { paramsJson } from './paramsJson';
import { pythonSnippet } from './pythonSnippet';

/** What to export: a tensor of a file quantized as a panel's controls say. */
export interface ExportTarget {
  readonly uri: vscode.Uri;
  readonly settings: PanelSettings;
  /** Where to save, instead of asking (scripts and tests); still never an existing file. */
  readonly saveUri?: vscode.Uri;
}

/** What an export did: the message for the user, and the file written (none for the clipboard). */
export interface ExportOutcome {
  readonly message: string;
  readonly written?: vscode.Uri;
}

/** The file's name without its last extension: weights.npy → weights. */
function stemOf(uri: vscode.Uri): string {
  const name = fileNameOf(uri);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** A file name part made safe from a tensor name ("layer.0/weight" → "layer.0_weight"). */
function safePart(text: string): string {
  return text.replace(/[^\w.-]+/g, '_').slice(0, 80) || 'tensor';
}

/**
 * Writes bytes to a new file, never over an existing one and never over the tensor file: atomically
 * (temporary file, then link) on disk, through VS Code's file system elsewhere.
 */
export async function writeNewFile(target: vscode.Uri, bytes: Uint8Array, tensorFile: vscode.Uri): Promise<void> {
  if (target.toString() === tensorFile.toString()) {
    throw new UsageError(`Refusing to write ${fileNameOf(target)}: it is the tensor file. Choose a new path.`);
  }
  if (target.scheme === 'file') {
    await writeFileAtomic(target.fsPath, bytes, { protect: tensorFile.scheme === 'file' ? [tensorFile.fsPath] : [] });
    return;
  }
  const exists = await vscode.workspace.fs.stat(target).then(() => true, () => false);
  if (exists) throw new UsageError(`Refusing to overwrite ${fileNameOf(target)}: the file exists. Choose a new path.`);
  await vscode.workspace.fs.writeFile(target, bytes);
}

/** Asks where to save (unless the target says); a dismissed dialog cancels the export. */
async function askSavePath(target: ExportTarget, defaultUri: vscode.Uri, filters: Record<string, string[]>, title: string): Promise<vscode.Uri> {
  if (target.saveUri) return target.saveUri;
  const chosen = await vscode.window.showSaveDialog({ defaultUri, filters, title, saveLabel: 'Save' });
  if (chosen === undefined) throw new CancelledError();
  return chosen;
}

/** The exports of the panel and the palette: codes as .npy, parameters as JSON, a Python snippet on the clipboard. */
export class Exporter {
  constructor(private readonly numerics: Numerics) {}

  /** Runs one export; resolves with a short message for the user, rejects with CancelledError when dismissed. */
  run(kind: ExportKind, target: ExportTarget, control: JobControl = {}): Promise<ExportOutcome> {
    switch (kind) {
      case 'codesNpy':
        return this.codesNpy(target, control);
      case 'paramsJson':
        return this.paramsJson(target, control);
      case 'pythonSnippet':
        return this.pythonSnippet(target, control);
    }
  }

  /** Saves the integer codes as a new .npy file (uint8 up to 8 bits, uint16 above), the tensor's shape. */
  async codesNpy(target: ExportTarget, control: JobControl = {}): Promise<ExportOutcome> {
    const { uri, settings } = target;
    const { result } = await this.numerics.resolve(uri, settings, control);
    const suffix = await this.tensorSuffix(uri, settings.tensor, control);
    const defaultUri = vscode.Uri.joinPath(uri, '..', `${stemOf(uri)}${suffix}.codes.npy`);
    const path = await askSavePath(target, defaultUri, { 'NumPy array': ['npy'] }, `Save the codes of '${settings.tensor}'`);
    const r = result.report;
    const options = r.params.range === 'percentile' && r.params.percentile !== null
      ? { bits: r.params.bits, range: 'percentile' as const, percentile: r.params.percentile }
      : { bits: r.params.bits, range: 'minmax' as const, percentile: 100 };
    const codes = await this.numerics.encodeCodes(uri, settings.tensor, options, control);
    await writeNewFile(path, codes.bytes, uri);
    return { message: `Codes of '${settings.tensor}' (${codes.dtype} ${formatShape(codes.shape)}) saved to ${fileNameOf(path)}.`, written: path };
  }

  /** Saves scale, zero point, clip range and metrics as a new JSON file. */
  async paramsJson(target: ExportTarget, control: JobControl = {}): Promise<ExportOutcome> {
    const { uri, settings } = target;
    const [{ result }, listing] = await Promise.all([this.numerics.resolve(uri, settings, control), this.numerics.list(uri, control)]);
    const suffix = listing.tensors.length > 1 ? `.${safePart(settings.tensor)}` : '';
    const defaultUri = vscode.Uri.joinPath(uri, '..', `${stemOf(uri)}${suffix}.quant.json`);
    const path = await askSavePath(target, defaultUri, { JSON: ['json'] }, `Save the quantization parameters of '${settings.tensor}'`);
    await writeNewFile(path, new TextEncoder().encode(paramsJson(fileNameOf(uri), listing.format, result.report)), uri);
    return { message: `Quantization parameters of '${settings.tensor}' saved to ${fileNameOf(path)}.`, written: path };
  }

  /** Copies Python (numpy, then PyTorch) that reproduces the quantization. */
  async pythonSnippet(target: ExportTarget, control: JobControl = {}): Promise<ExportOutcome> {
    const { uri, settings } = target;
    const [{ result }, listing] = await Promise.all([this.numerics.resolve(uri, settings, control), this.numerics.list(uri, control)]);
    const path = uri.scheme === 'file' ? uri.fsPath : fileNameOf(uri);
    await vscode.env.clipboard.writeText(pythonSnippet({ path, format: listing.format, report: result.report }));
    return { message: `Python snippet for '${settings.tensor}' copied to the clipboard.` };
  }

  private async tensorSuffix(uri: vscode.Uri, tensor: string, control: JobControl): Promise<string> {
    const listing = await this.numerics.list(uri, control);
    return listing.tensors.length > 1 ? `.${safePart(tensor)}` : '';
  }
}
