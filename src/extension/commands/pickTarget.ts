import * as vscode from 'vscode';
import { formatShape } from '../../core/tensor';
import type { PanelSettings } from '../../protocol/webview';
import type { ListResult } from '../../protocol/worker';
import { panelSettingsFrom } from '../config/settings';
import type { JsonTensorFiles } from '../diagnostics/jsonTensorFiles';
import { isJsonTensorName } from '../diagnostics/jsonTensorRule';
import { isBinaryTensorPath } from '../fileAccess';
import type { Services } from '../services';

/** A tensor file a command works on; `tensor` and `settings` when the command came from an inspector or a CodeLens. */
export interface CommandTarget {
  readonly uri: vscode.Uri;
  readonly tensor?: string;
  readonly settings?: PanelSettings;
}

/** Extensions offered by the file picker. */
const pickerExtensions = ['npy', 'npz', 'safetensors', 'json'];

/** The file a command was given: a URI (menus pass one, CodeLenses a URI and a tensor name) or a URI string. */
export function uriArgument(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg.length > 0) return arg.includes(':') ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
  if (typeof arg === 'object' && arg !== null && (arg as { resourceUri?: unknown }).resourceUri instanceof vscode.Uri) {
    return (arg as { resourceUri: vscode.Uri }).resourceUri;
  }
  return undefined;
}

/**
 * What a command from the palette works on: the focused inspector's file and tensor, else the active
 * editor's tensor file, else a file the user picks (undefined when the picker is dismissed).
 */
export async function commandTarget(services: Services, jsonFiles: JsonTensorFiles, arg: unknown, tensorArg: unknown): Promise<CommandTarget | undefined> {
  const tensor = typeof tensorArg === 'string' ? tensorArg : undefined;
  const given = uriArgument(arg);
  if (given) return { uri: given, ...(tensor !== undefined ? { tensor } : {}) };
  const session = services.active.current;
  if (session) return { uri: session.uri, tensor: session.tensor, settings: session.currentSettings };
  const editor = vscode.window.activeTextEditor;
  const editorUri = editor?.document.uri;
  if (editor && editorUri && (jsonFiles.isTensorDocument(editorUri) || isJsonTensorName(editorUri.path) || isBinaryTensorPath(editorUri.path))) {
    const atCursor = await jsonFiles.tensorAt(editor.document, editor.document.offsetAt(editor.selection.active));
    return atCursor === undefined ? { uri: editorUri } : { uri: editorUri, tensor: atCursor };
  }
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if ((input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText) && isBinaryTensorPath(input.uri.path)) return { uri: input.uri };
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Inspect',
    title: 'Clipwise: choose a tensor file',
    filters: { 'Tensor files': pickerExtensions },
  });
  return picked?.[0] ? { uri: picked[0] } : undefined;
}

/** The tensor to work on: the only one, the one given, or the user's pick (quick pick with dtype and shape). */
export async function pickTensor(listing: ListResult, given: string | undefined, title: string): Promise<string | undefined> {
  if (given !== undefined && listing.tensors.some((t) => t.name === given)) return given;
  if (listing.tensors.length === 1) return listing.tensors[0].name;
  const picked = await vscode.window.showQuickPick(
    listing.tensors.map((t) => ({ label: t.name, description: `${t.dtype} ${formatShape(t.shape)}`, detail: `${t.count.toLocaleString('en-US')} values` })),
    { title, placeHolder: 'Choose a tensor', matchOnDescription: true },
  );
  return picked?.label;
}

/** The controls a command starts from: the inspector's, the file's last choice, else the settings. */
export function startingSettings(services: Services, target: CommandTarget, tensor: string): PanelSettings {
  if (target.settings && target.settings.tensor === tensor) return target.settings;
  const choice = services.choices.get(target.uri)?.settings;
  if (choice) return { ...choice, tensor };
  return panelSettingsFrom(services.settings.get(), tensor);
}
