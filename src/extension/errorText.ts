import { CancelledError, isUserError } from '../core/errors';

/** What the user is told about a failure (style guide §6). */
export type ErrorVerdict =
  /** Stopped on request: say nothing. */
  | { readonly kind: 'cancelled' }
  /** The file or a setting is at fault: show the message. */
  | { readonly kind: 'user'; readonly message: string }
  /** A bug: point at the log, where the stack is. */
  | { readonly kind: 'bug'; readonly message: string };

/** The line a bug shows the user; the detail is in the "Clipwise" output. */
export const internalErrorMessage = 'Clipwise: internal error — see Output (Clipwise) for details.';

/** Sorts an error into cancelled, the user's or a bug; a user message always names the file. */
export function judgeError(err: unknown, fileName?: string): ErrorVerdict {
  if (err instanceof CancelledError) return { kind: 'cancelled' };
  if (isUserError(err)) {
    const named = fileName === undefined || err.message.includes(fileName) ? err.message : `${fileName}: ${err.message}`;
    return { kind: 'user', message: named };
  }
  return { kind: 'bug', message: internalErrorMessage };
}

/** The log line of a failure: what was being done, on which file, and the error with its stack for bugs. */
export function logLine(action: string, fileName: string | undefined, err: unknown): string {
  const where = fileName === undefined ? '' : ` (${fileName})`;
  if (isUserError(err)) return `${action}${where}: ${err.message}`;
  const detail = err instanceof Error ? err.stack ?? `${err.name}: ${err.message}` : String(err);
  return `${action}${where} failed with an internal error: ${detail}`;
}
