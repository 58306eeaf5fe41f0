import * as vscode from 'vscode';
import type { ByteSource } from '../../core/byteSource';
import { openFileByteSource, type FileByteSource } from '../../host/fileByteSource';
import { DisposableStore, type DisposableLike } from '../dispose';
import { fileNameOf } from '../fileAccess';
import { InspectorSession, type InspectorDeps } from '../panel/inspectorSession';
import { inspectorHtml, inspectorWebviewOptions } from '../panel/webviewContent';

/** The read-only tensor editor's view type (package.json `customEditors`); named for .npy, its first format. */
export const npyEditorViewType = 'clipwise.npyEditor';

/**
 * A tensor file opened in the editor. It holds a byte source, never the bytes: the file is opened on
 * first read and read by range (the numerics read it again, by path, in the worker).
 */
export class TensorDocument implements vscode.CustomDocument, ByteSource {
  private handle: Promise<FileByteSource> | undefined;
  private isClosed = false;

  constructor(
    readonly uri: vscode.Uri,
    readonly size: number,
  ) {}

  get name(): string {
    return fileNameOf(this.uri);
  }

  /** Reads `length` bytes at `offset` (from disk by range; through VS Code's file system elsewhere). */
  async read(offset: number, length: number): Promise<Uint8Array> {
    if (this.isClosed) throw new Error(`${this.name} is closed.`);
    if (this.uri.scheme !== 'file') return (await vscode.workspace.fs.readFile(this.uri)).subarray(offset, offset + length);
    this.handle ??= openFileByteSource(this.uri.fsPath);
    return (await this.handle).read(offset, length);
  }

  dispose(): void {
    this.isClosed = true;
    void this.handle?.then((h) => h.close()).catch(() => undefined);
    this.handle = undefined;
  }
}

/** Opening a .npy (or .npz, .safetensors) file shows the inspector instead of binary bytes in a text editor. */
export class NpyEditorProvider implements vscode.CustomReadonlyEditorProvider<TensorDocument>, DisposableLike {
  private readonly store = new DisposableStore();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly deps: InspectorDeps,
  ) {}

  async openCustomDocument(uri: vscode.Uri): Promise<TensorDocument> {
    const stat = await vscode.workspace.fs.stat(uri);
    return new TensorDocument(uri, stat.size);
  }

  async resolveCustomEditor(document: TensorDocument, webviewPanel: vscode.WebviewPanel): Promise<void> {
    webviewPanel.webview.options = inspectorWebviewOptions(this.extensionUri);
    const editor = new DisposableStore();
    const session = editor.add(new InspectorSession(webviewPanel.webview, document.uri, this.deps, {}, 'editor'));
    this.store.add(editor);
    editor.add(webviewPanel.onDidDispose(() => {
      this.store.delete(editor);
      editor.dispose();
    }));
    editor.add(this.deps.active.track(webviewPanel, session));
    webviewPanel.webview.html = inspectorHtml(webviewPanel.webview, this.extensionUri);
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** Registers the read-only tensor editor (default for *.npy, *.npz and *.safetensors, see package.json). */
export function registerNpyEditor(context: vscode.ExtensionContext, deps: InspectorDeps): NpyEditorProvider {
  const provider = new NpyEditorProvider(context.extensionUri, deps);
  context.subscriptions.push(
    provider,
    vscode.window.registerCustomEditorProvider(npyEditorViewType, provider, {
      supportsMultipleEditorsPerDocument: true,
      webviewOptions: { enableFindWidget: false, retainContextWhenHidden: false },
    }),
  );
  return provider;
}
