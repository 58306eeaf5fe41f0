import * as vscode from 'vscode';
import { DisposableStore, type DisposableLike } from '../dispose';
import type { InspectorSession } from './inspectorSession';

/** Which inspector (panel or .npy editor) has the focus: palette commands and the status bar follow it. */
export class ActiveInspector implements DisposableLike {
  private session: InspectorSession | undefined;
  private readonly store = new DisposableStore();
  private readonly changed = this.store.add(new vscode.EventEmitter<void>());

  /** Fires when the focused inspector changes. */
  readonly onDidChange = this.changed.event;

  /** The focused inspector, if any. */
  get current(): InspectorSession | undefined {
    return this.session;
  }

  /** Follows a webview panel's focus for `session`, until the returned disposable is disposed. */
  track(panel: vscode.WebviewPanel, session: InspectorSession): vscode.Disposable {
    if (panel.active) this.set(session);
    const listener = panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active) this.set(session);
      else if (this.session === session) this.set(undefined);
    });
    return {
      dispose: () => {
        listener.dispose();
        if (this.session === session) this.set(undefined);
      },
    };
  }

  dispose(): void {
    this.store.dispose();
  }

  private set(session: InspectorSession | undefined): void {
    if (this.session === session) return;
    this.session = session;
    this.changed.fire();
  }
}
