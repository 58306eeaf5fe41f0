import type { Disposable } from 'vscode';

/** Anything with a dispose method: vscode's Disposable, a Worker wrapper, a timer. */
export interface DisposableLike {
  dispose(): unknown;
}

/**
 * Owns disposables and disposes them together, newest first. `add` returns its argument; a second
 * `dispose` is harmless; anything added after dispose is disposed at once (hexeditor's `_register`).
 */
export class DisposableStore implements Disposable {
  private readonly items = new Set<DisposableLike>();
  private isDisposedFlag = false;

  /** True once dispose has run. */
  get isDisposed(): boolean {
    return this.isDisposedFlag;
  }

  /** Takes ownership of `item`; disposes it at once if the store is already disposed. */
  add<T extends DisposableLike>(item: T): T {
    if (this.isDisposedFlag) {
      disposeQuietly(item);
      return item;
    }
    this.items.add(item);
    return item;
  }

  /** Gives up ownership without disposing (for an item disposed elsewhere). */
  delete(item: DisposableLike): void {
    this.items.delete(item);
  }

  /** Disposes every item, newest first; errors from one item do not stop the others. */
  dispose(): void {
    if (this.isDisposedFlag) return;
    this.isDisposedFlag = true;
    const items = [...this.items].reverse();
    this.items.clear();
    for (const item of items) disposeQuietly(item);
  }
}

/** A disposable from a function; running it twice runs the function once. */
export function toDisposable(fn: () => void): DisposableLike & Disposable {
  let isDone = false;
  return {
    dispose: () => {
      if (isDone) return;
      isDone = true;
      fn();
    },
  };
}

function disposeQuietly(item: DisposableLike): void {
  try {
    item.dispose();
  } catch {
    // One failing dispose must not keep the rest alive.
  }
}
