/** Where in a file a format error was found, so a diagnostic or a message can point at it. */
export interface ErrorLocation {
  /** Byte offset into a binary file; character offset into the decoded text of a text format (as VS Code positions count). */
  readonly offset?: number;
  /** 1-based line and column, for text formats. */
  readonly line?: number;
  readonly column?: number;
  /** Archive member or tensor name the error belongs to. */
  readonly entry?: string;
}

/** The file is at fault: unreadable, malformed, or of a kind Clipwise does not support. */
export class TensorFormatError extends Error {
  override readonly name = 'TensorFormatError';
  constructor(message: string, readonly location: ErrorLocation = {}) {
    super(message);
  }
}

/** The caller is at fault: a bad option, setting or argument. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The work was stopped on request; edges stay silent about it. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('Cancelled.');
  }
}

/** True for the errors whose message is written for the user (everything else is a bug). */
export function isUserError(err: unknown): err is TensorFormatError | UsageError {
  return err instanceof TensorFormatError || err instanceof UsageError;
}
