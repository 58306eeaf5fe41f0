import * as vscode from 'vscode';
import { isPanelSettings } from '../../protocol/guards';
import type { PanelSettings } from '../../protocol/webview';
import { DisposableStore, type DisposableLike } from '../dispose';

/** The panel's last choice for a file: its controls, and the grid search's best percentile when "best of grid". */
export interface FileChoice {
  readonly settings: PanelSettings;
  /** The best percentile of the last search (null when min-max won); absent before any search. */
  readonly bestPercentile?: number | null;
}

/** Files whose choice is remembered across sessions, the most recent kept. */
export const maxRememberedChoices = 200;

const storageKey = 'clipwise.panelChoices';

/**
 * What the user last chose in an inspector, per file, kept in the workspace state so that it survives a
 * reload: the JSON diagnostics quantize with it, and a new panel on the file starts from it. Changing any
 * `clipwise.*` setting forgets every choice (`clear`): the user has said what they want from now on.
 */
export class PanelChoices implements DisposableLike {
  private readonly choices = new Map<string, FileChoice>();
  private readonly store = new DisposableStore();
  private readonly changed = this.store.add(new vscode.EventEmitter<vscode.Uri>());

  /** Fires with the file whose choice changed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly memento: vscode.Memento) {
    const saved = memento.get<Record<string, unknown>>(storageKey, {});
    for (const [key, value] of Object.entries(saved)) {
      const v = value as Partial<FileChoice> | null;
      if (v && isPanelSettings(v.settings)) {
        const best = v.bestPercentile;
        this.choices.set(key, typeof best === 'number' || best === null ? { settings: v.settings, bestPercentile: best } : { settings: v.settings });
      }
    }
  }

  /** The last choice for the file, if a panel ever showed it. */
  get(uri: vscode.Uri): FileChoice | undefined {
    return this.choices.get(uri.toString());
  }

  /** Records a choice (and persists it) when it differs from the one kept. */
  set(uri: vscode.Uri, choice: FileChoice): void {
    const key = uri.toString();
    const old = this.choices.get(key);
    if (old !== undefined && JSON.stringify(old) === JSON.stringify(choice)) return;
    this.choices.delete(key);
    this.choices.set(key, choice);
    while (this.choices.size > maxRememberedChoices) this.choices.delete(this.choices.keys().next().value as string);
    void this.memento.update(storageKey, Object.fromEntries(this.choices));
    this.changed.fire(uri);
  }

  /** Forgets every choice (the settings changed). */
  clear(): void {
    const uris = [...this.choices.keys()];
    if (uris.length === 0) return;
    this.choices.clear();
    void this.memento.update(storageKey, {});
    for (const key of uris) this.changed.fire(vscode.Uri.parse(key));
  }

  dispose(): void {
    this.store.dispose();
  }
}
