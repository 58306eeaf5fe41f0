import * as vscode from 'vscode';
import type { JobControl } from '../numerics';

/**
 * Runs a job under a cancellable progress notification: Cancel aborts the job (which then rejects with
 * CancelledError), and the job's fractions move the bar.
 */
export function withCancellableProgress<T>(title: string, work: (control: JobControl) => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      const listener = token.onCancellationRequested(() => controller.abort());
      let shownPercent = 0;
      try {
        return await work({
          signal: controller.signal,
          onProgress: (fraction) => {
            const percent = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
            if (percent <= shownPercent) return;
            progress.report({ increment: percent - shownPercent, message: `${percent}%` });
            shownPercent = percent;
          },
        });
      } finally {
        listener.dispose();
      }
    }),
  );
}

/** Runs a short job with a spinner in the status bar. */
export function withWindowProgress<T>(title: string, work: () => Promise<T>): Promise<T> {
  return Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, work));
}
