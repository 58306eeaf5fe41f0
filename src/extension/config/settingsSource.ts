import * as vscode from 'vscode';
import { DisposableStore, type DisposableLike } from '../dispose';
import { log } from '../log';
import { readSettings, type ClipwiseSettings } from './settings';

/** Section of every Clipwise setting. */
export const settingsSection = 'clipwise';

/** The `clipwise.*` settings, read once per change and validated; bad values are logged and replaced by defaults. */
export class SettingsSource implements DisposableLike {
  private cached: ClipwiseSettings | undefined;
  private readonly store = new DisposableStore();
  private readonly changed = this.store.add(new vscode.EventEmitter<void>());

  /** Fires after any `clipwise.*` setting changed. */
  readonly onDidChange = this.changed.event;

  constructor() {
    this.store.add(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(settingsSection)) return;
        this.cached = undefined;
        this.changed.fire();
      }),
    );
  }

  /** The current settings. */
  get(): ClipwiseSettings {
    if (this.cached === undefined) {
      const config = vscode.workspace.getConfiguration(settingsSection);
      const { settings, problems } = readSettings((key) => config.get(key));
      for (const problem of problems) log.warn(problem);
      this.cached = settings;
    }
    return this.cached;
  }

  dispose(): void {
    this.store.dispose();
  }
}
