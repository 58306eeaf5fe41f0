import * as vscode from 'vscode';
import { objectives, type Objective } from '../../core/quant/metrics';
import type { ExportKind, PanelSettings } from '../../protocol/webview';
import type { QuantizeResult } from '../../protocol/worker';
import type { SearchReport } from '../../core/report/reportTypes';
import { gridForms } from '../../core/search/gridSpec';
import { validateBitsText, validateGridText } from '../config/settings';
import type { JsonTensorFiles } from '../diagnostics/jsonTensorFiles';
import { fileNameOf } from '../fileAccess';
import type { InspectorPanels } from '../panel/inspectorPanels';
import { showInformation } from '../notify';
import { reportCommandError } from '../reportError';
import type { Services } from '../services';
import { commandIds } from './commandIds';
import { commandTarget, pickTensor, startingSettings, uriArgument, type CommandTarget } from './pickTarget';
import { withCancellableProgress, withWindowProgress } from './progress';

/** Optional third argument of the commands, for scripts and tests: skips the prompts it answers. */
export interface CommandOptions {
  /** Find Best Percentile: bits, grid and objective instead of asking. */
  readonly bits?: number;
  readonly grid?: string;
  readonly objective?: Objective;
  /** Exports: where to save instead of asking (a new file). */
  readonly saveUri?: vscode.Uri | string;
}

const objectiveDescriptions: Readonly<Record<Objective, string>> = {
  mse: 'mean squared error (the seed notebook\'s)',
  mae: 'mean absolute error',
  maxAbsError: 'largest absolute error',
  sqnrDb: 'signal-to-quantization-noise ratio, maximised',
  mseInliers: 'mean squared error without outliers (Tukey\'s far-out fences)',
};

interface CommandContext {
  readonly services: Services;
  readonly panels: InspectorPanels;
  readonly jsonFiles: JsonTensorFiles;
}

function optionsArgument(arg: unknown): CommandOptions {
  return typeof arg === 'object' && arg !== null && !(arg instanceof vscode.Uri) ? (arg as CommandOptions) : {};
}

/** The file, its listing and the tensor a command works on; undefined when the user dismissed a prompt. */
async function chooseTensor(ctx: CommandContext, arg: unknown, tensorArg: unknown, title: string) {
  const target = await commandTarget(ctx.services, ctx.jsonFiles, arg, tensorArg);
  if (!target) return undefined;
  const listing = await withWindowProgress(`Clipwise: reading ${fileNameOf(target.uri)}`, () => ctx.services.numerics.list(target.uri));
  const tensor = await pickTensor(listing, target.tensor, title);
  return tensor === undefined ? undefined : { target, listing, tensor };
}

/** "Quantize Tensor": opens the inspector on a tensor with the file's settings; resolves with the report shown. */
async function quantizeTensor(ctx: CommandContext, arg: unknown, tensorArg: unknown): Promise<QuantizeResult | undefined> {
  let uri: vscode.Uri | undefined = uriArgument(arg);
  try {
    const chosen = await chooseTensor(ctx, arg, tensorArg, 'Quantize Tensor: which tensor?');
    if (!chosen) return undefined;
    const { target, listing, tensor } = chosen;
    uri = target.uri;
    const settings = startingSettings(ctx.services, target, tensor);
    const resolved = await withCancellableProgress(`Clipwise: quantizing '${tensor}' of ${fileNameOf(target.uri)}`, (control) =>
      ctx.services.numerics.resolve(target.uri, settings, control),
    );
    ctx.panels.createOrShow(target.uri, { tensor, settings, listing, resolved });
    return resolved.result;
  } catch (err) {
    reportCommandError('Quantize Tensor', err, uri);
    return undefined;
  }
}

/** Asks for bits, grid and objective, pre-filled with the settings and checked as the user types. */
async function askSearchParams(ctx: CommandContext, options: CommandOptions): Promise<{ bits: number; grid: string; objective: Objective } | undefined> {
  const defaults = ctx.services.settings.get();
  let bits = options.bits;
  if (bits === undefined) {
    const text = await vscode.window.showInputBox({
      title: 'Find Best Percentile (1/3): bits',
      prompt: 'Bit width of the integer codes, 2 to 16',
      value: String(defaults.bits),
      validateInput: validateBitsText,
      ignoreFocusOut: true,
    });
    if (text === undefined) return undefined;
    bits = Number(text.trim());
  }
  let grid = options.grid;
  if (grid === undefined) {
    grid = await vscode.window.showInputBox({
      title: 'Find Best Percentile (2/3): percentile grid',
      prompt: `${gridForms} — each P keeps the values between the (100-P)th and the Pth percentile: (100-P)% clipped at each tail`,
      value: defaults.grid,
      validateInput: validateGridText,
      ignoreFocusOut: true,
    });
    if (grid === undefined) return undefined;
    grid = grid.trim();
  }
  let objective = options.objective;
  if (objective === undefined) {
    const ordered = [defaults.objective, ...objectives.filter((o) => o !== defaults.objective)];
    const picked = await vscode.window.showQuickPick(
      ordered.map((o) => ({ label: o, description: objectiveDescriptions[o], detail: o === defaults.objective ? 'the configured default (clipwise.objective)' : undefined })),
      { title: 'Find Best Percentile (3/3): objective', placeHolder: 'What the search minimises (SQNR: maximises)', ignoreFocusOut: true },
    );
    if (picked === undefined) return undefined;
    objective = picked.label;
  }
  return { bits, grid, objective };
}

/** "Find Best Percentile (Grid Search)": asks, searches under a cancellable notification, opens the panel on the result. */
async function findBestPercentile(ctx: CommandContext, arg: unknown, tensorArg: unknown, optionsArg: unknown): Promise<SearchReport | undefined> {
  let uri: vscode.Uri | undefined = uriArgument(arg);
  try {
    const chosen = await chooseTensor(ctx, arg, tensorArg, 'Find Best Percentile: which tensor?');
    if (!chosen) return undefined;
    const { target, listing, tensor } = chosen;
    uri = target.uri;
    const params = await askSearchParams(ctx, optionsArgument(optionsArg));
    if (!params) return undefined;
    const result = await withCancellableProgress(`Clipwise: grid search on '${tensor}' of ${fileNameOf(target.uri)}`, (control) =>
      ctx.services.numerics.search(target.uri, tensor, params, control),
    );
    const base = startingSettings(ctx.services, target, tensor);
    const settings: PanelSettings = { ...base, tensor, ...params, range: 'bestOfGrid' };
    ctx.panels.createOrShow(target.uri, {
      tensor,
      settings,
      listing,
      resolved: { result: { report: result.report, baseline: result.baseline }, search: result },
    });
    return result.search;
  } catch (err) {
    reportCommandError('Find Best Percentile', err, uri);
    return undefined;
  }
}

const exportNames: Readonly<Record<ExportKind, string>> = {
  codesNpy: 'Export Codes as .npy',
  paramsJson: 'Export Quantization Parameters as JSON',
  pythonSnippet: 'Copy Python Snippet',
};

/** An export from the palette: the focused inspector's tensor and controls, else a file's tensor with its settings. */
async function exportCommand(ctx: CommandContext, kind: ExportKind, arg: unknown, tensorArg: unknown, optionsArg: unknown): Promise<vscode.Uri | string | undefined> {
  let uri: vscode.Uri | undefined = uriArgument(arg);
  try {
    const chosen = await chooseTensor(ctx, arg, tensorArg, `${exportNames[kind]}: which tensor?`);
    if (!chosen) return undefined;
    const { target, tensor } = chosen;
    uri = target.uri;
    const settings = startingSettings(ctx.services, target as CommandTarget, tensor);
    const save = optionsArgument(optionsArg).saveUri;
    const saveUri = save === undefined ? undefined : uriArgument(save);
    const outcome = await withWindowProgress(`Clipwise: ${exportNames[kind]}`, () =>
      ctx.services.exporter.run(kind, { uri: target.uri, settings, ...(saveUri ? { saveUri } : {}) }),
    );
    void showInformation(outcome.message);
    return outcome.written ?? outcome.message;
  } catch (err) {
    reportCommandError(exportNames[kind], err, uri);
    return undefined;
  }
}

/** Registers the five commands. Each takes (file?, tensor?, options?) so menus, CodeLenses and tests can drive it. */
export function registerCommands(context: vscode.ExtensionContext, services: Services, panels: InspectorPanels, jsonFiles: JsonTensorFiles): void {
  const ctx: CommandContext = { services, panels, jsonFiles };
  context.subscriptions.push(
    vscode.commands.registerCommand(commandIds.quantizeTensor, (arg?: unknown, tensor?: unknown) => quantizeTensor(ctx, arg, tensor)),
    vscode.commands.registerCommand(commandIds.findBestPercentile, (arg?: unknown, tensor?: unknown, options?: unknown) => findBestPercentile(ctx, arg, tensor, options)),
    vscode.commands.registerCommand(commandIds.exportCodes, (arg?: unknown, tensor?: unknown, options?: unknown) => exportCommand(ctx, 'codesNpy', arg, tensor, options)),
    vscode.commands.registerCommand(commandIds.exportParams, (arg?: unknown, tensor?: unknown, options?: unknown) => exportCommand(ctx, 'paramsJson', arg, tensor, options)),
    vscode.commands.registerCommand(commandIds.copyPythonSnippet, (arg?: unknown, tensor?: unknown) => exportCommand(ctx, 'pythonSnippet', arg, tensor, undefined)),
  );
}
