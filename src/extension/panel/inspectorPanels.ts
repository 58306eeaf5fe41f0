import * as vscode from 'vscode';
import { isWebviewState } from '../../protocol/guards';
import { DisposableStore, type DisposableLike } from '../dispose';
import { fileNameOf } from '../fileAccess';
import { log } from '../log';
import { InspectorSession, type InspectorDeps, type InspectorStart } from './inspectorSession';
import { inspectorHtml, inspectorWebviewOptions } from './webviewContent';

/** The inspector panel's view type (also the serializer's). */
export const inspectorViewType = 'clipwise.inspector';

/** One inspector panel: a webview panel and the session that answers its page. */
export class InspectorPanel implements DisposableLike {
  private readonly store = new DisposableStore();

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly session: InspectorSession,
    onDispose: () => void,
  ) {
    this.store.add(session);
    this.store.add(session.onDidChangeTensor(() => this.updateTitle()));
    this.store.add(panel.onDidDispose(() => {
      onDispose();
      this.store.dispose();
    }));
    this.updateTitle();
  }

  get uri(): vscode.Uri {
    return this.session.uri;
  }

  /** Disposes `item` with the panel. */
  own<T extends DisposableLike>(item: T): T {
    return this.store.add(item);
  }

  /** Shows `fileName — tensor` once the tensor is known (the file name alone before). */
  updateTitle(): void {
    const tensor = this.session.tensor;
    const name = fileNameOf(this.uri);
    this.panel.title = tensor && !name.startsWith(`${tensor}.`) ? `${name} — ${tensor}` : name;
  }

  dispose(): void {
    this.panel.dispose();
  }
}

/**
 * The inspector panels: one per file and tensor (`createOrShow` reveals an open one), revived after a
 * reload by the panel serializer from the page's saved state.
 */
export class InspectorPanels implements DisposableLike {
  private readonly panels = new Set<InspectorPanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly deps: InspectorDeps,
  ) {}

  /** Reveals the panel on this file and tensor with the command's results, or opens one. */
  createOrShow(uri: vscode.Uri, start: InspectorStart): InspectorPanel {
    const tensor = start.settings?.tensor ?? start.tensor;
    const key = uri.toString();
    const open = [...this.panels].find((p) => p.uri.toString() === key && (tensor === undefined || p.session.tensor === tensor));
    if (open) {
      open.panel.reveal(open.panel.viewColumn);
      if (start.resolved || start.settings) open.session.showStart(start);
      return open;
    }
    const panel = vscode.window.createWebviewPanel(
      inspectorViewType,
      fileNameOf(uri),
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      { ...inspectorWebviewOptions(this.extensionUri), enableFindWidget: false },
    );
    return this.attach(panel, uri, start);
  }

  /** Revives a panel VS Code restored after a reload; its webview options are set again before anything else. */
  revive(panel: vscode.WebviewPanel, state: unknown): void {
    panel.webview.options = inspectorWebviewOptions(this.extensionUri);
    if (!isWebviewState(state)) {
      log.info('Closed an inspector panel restored without a saved file; open the file again to inspect it.');
      panel.dispose();
      return;
    }
    let uri: vscode.Uri;
    try {
      uri = vscode.Uri.parse(state.fileUri, true);
    } catch {
      log.warn(`Closed an inspector panel restored with a malformed file URI ${JSON.stringify(state.fileUri)}.`);
      panel.dispose();
      return;
    }
    this.attach(panel, uri, { settings: state.settings });
  }

  dispose(): void {
    for (const p of [...this.panels]) p.dispose();
  }

  private attach(panel: vscode.WebviewPanel, uri: vscode.Uri, start: InspectorStart): InspectorPanel {
    const session = new InspectorSession(panel.webview, uri, this.deps, start);
    const inspector: InspectorPanel = new InspectorPanel(panel, session, () => this.panels.delete(inspector));
    this.panels.add(inspector);
    inspector.own(this.deps.active.track(panel, session));
    panel.webview.html = inspectorHtml(panel.webview, this.extensionUri);
    return inspector;
  }
}

/** Registers the panel serializer (and disposes every panel with the extension). */
export function registerInspectorPanels(context: vscode.ExtensionContext, deps: InspectorDeps): InspectorPanels {
  const panels = new InspectorPanels(context.extensionUri, deps);
  context.subscriptions.push(
    panels,
    vscode.window.registerWebviewPanelSerializer(inspectorViewType, {
      deserializeWebviewPanel: async (panel, state: unknown) => panels.revive(panel, state),
    }),
  );
  return panels;
}
