import type * as vscode from 'vscode';
import { createApi, type ClipwiseApi } from './api';
import { registerCommands } from './commands/registerCommands';
import { registerJsonLanguageFeatures } from './diagnostics/jsonLanguageFeatures';
import { registerJsonTensorFiles } from './diagnostics/jsonTensorFiles';
import { registerNpyEditor } from './editor/npyEditor';
import { registerLog } from './log';
import { registerInspectorPanels } from './panel/inspectorPanels';
import { registerServices } from './services';
import { registerStatusBar } from './status/statusBar';

/** Wires every feature; each register function pushes what it creates into context.subscriptions. */
export function activate(context: vscode.ExtensionContext): ClipwiseApi {
  registerLog(context);
  const services = registerServices(context);
  const panels = registerInspectorPanels(context, services);
  registerNpyEditor(context, services);
  const jsonFiles = registerJsonTensorFiles(context, services);
  registerJsonLanguageFeatures(context, jsonFiles);
  registerStatusBar(context, services, jsonFiles);
  registerCommands(context, services, panels, jsonFiles);
  return createApi(services);
}

/** Nothing to do: the subscriptions stop the workers and close the panels. */
export function deactivate(): void {}
