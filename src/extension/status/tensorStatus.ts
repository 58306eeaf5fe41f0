import * as vscode from 'vscode';
import type { QuantizeReport } from '../../core/report/reportTypes';
import { DisposableStore, type DisposableLike } from '../dispose';

/** What an inspector last showed for a file. */
export interface TensorStatus {
  readonly uri: vscode.Uri;
  readonly report: QuantizeReport;
}

/**
 * The reports inspectors (panels and .npy editors) currently show, per file: the status bar and the
 * Problems-panel summary of binary files read them. An entry lives while an inspector on the file does.
 */
export class TensorStatuses implements DisposableLike {
  private readonly byOwner = new Map<object, TensorStatus>();
  private readonly store = new DisposableStore();
  private readonly changed = this.store.add(new vscode.EventEmitter<vscode.Uri>());

  /** Fires with the file whose status changed (set or released). */
  readonly onDidChange = this.changed.event;

  /** Records what `owner` (an inspector) now shows. */
  set(owner: object, uri: vscode.Uri, report: QuantizeReport): void {
    this.byOwner.delete(owner);
    this.byOwner.set(owner, { uri, report });
    this.changed.fire(uri);
  }

  /** Forgets what `owner` showed (it closed). */
  release(owner: object): void {
    const status = this.byOwner.get(owner);
    if (status === undefined) return;
    this.byOwner.delete(owner);
    this.changed.fire(status.uri);
  }

  /** What `owner` shows, if anything. */
  of(owner: object): TensorStatus | undefined {
    return this.byOwner.get(owner);
  }

  /** The latest report any inspector shows for the file. */
  latest(uri: vscode.Uri): TensorStatus | undefined {
    const key = uri.toString();
    let found: TensorStatus | undefined;
    for (const status of this.byOwner.values()) if (status.uri.toString() === key) found = status;
    return found;
  }

  dispose(): void {
    this.store.dispose();
  }
}
