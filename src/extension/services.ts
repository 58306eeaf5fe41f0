import * as vscode from 'vscode';
import { Exporter } from './commands/exports';
import { SettingsSource } from './config/settingsSource';
import { log } from './log';
import { Numerics } from './numerics';
import { ActiveInspector } from './panel/activeInspector';
import { InspectorRegistry } from './panel/inspectorRegistry';
import { PanelChoices } from './panel/panelChoices';
import { TensorStatuses } from './status/tensorStatus';
import { WorkerClient } from './workerClient';

/** The shared pieces every feature uses; created once on activation and disposed with the extension. */
export interface Services {
  readonly settings: SettingsSource;
  /** Panels, editors and commands: reading, reports, searches, exports. */
  readonly numerics: Numerics;
  /** The JSON diagnostics' own worker, so that a long search never delays a squiggle. */
  readonly jsonWorker: WorkerClient;
  readonly choices: PanelChoices;
  readonly statuses: TensorStatuses;
  readonly exporter: Exporter;
  readonly active: ActiveInspector;
  /** The open inspectors, for the extension's API. */
  readonly inspectors: InspectorRegistry;
}

/** Path of the worker bundle (scripts/build.mjs builds src/extension/worker/workerMain.ts there). */
export function workerScriptPath(extensionUri: vscode.Uri): string {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'worker.js').fsPath;
}

/** Creates the shared services; the worker threads start on first use. */
export function registerServices(context: vscode.ExtensionContext): Services {
  const script = workerScriptPath(context.extensionUri);
  const events = (name: string) => ({
    onStart: () => log.info(`Started the ${name} worker.`),
    onExit: (code: number, error: Error | undefined) => {
      if (error) log.error(error);
      log.warn(`The ${name} worker stopped (exit code ${code}); it restarts on the next request.`);
    },
  });
  const worker = new WorkerClient(script, 'Clipwise numerics', events('numerics'));
  const jsonWorker = new WorkerClient(script, 'Clipwise JSON diagnostics', events('JSON diagnostics'));
  const settings = new SettingsSource();
  const numerics = new Numerics(worker, () => settings.get());
  const services: Services = {
    settings,
    numerics,
    jsonWorker,
    choices: new PanelChoices(context.workspaceState),
    statuses: new TensorStatuses(),
    exporter: new Exporter(numerics),
    active: new ActiveInspector(),
    inspectors: new InspectorRegistry(),
  };
  context.subscriptions.push(worker, jsonWorker, settings, services.choices, services.statuses, services.active);
  context.subscriptions.push(settings.onDidChange(() => services.choices.clear()));
  return services;
}
