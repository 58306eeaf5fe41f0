import * as vscode from 'vscode';
import { TensorFormatError } from '../core/errors';
import { judgeError, logLine, type ErrorVerdict } from './errorText';
import { fileNameOf, headBytesHex } from './fileAccess';
import { log } from './log';
import { showError } from './notify';

/** Logs a failure: user errors as warnings (a format error with the file's first bytes), bugs with their stack. */
export function logFailure(action: string, err: unknown, uri?: vscode.Uri): ErrorVerdict {
  const fileName = uri ? fileNameOf(uri) : undefined;
  const verdict = judgeError(err, fileName);
  if (verdict.kind === 'cancelled') {
    log.debug(`${action}${fileName ? ` (${fileName})` : ''}: cancelled.`);
    return verdict;
  }
  if (verdict.kind === 'user') log.warn(logLine(action, fileName, err));
  else log.error(logLine(action, fileName, err));
  if (err instanceof TensorFormatError && uri) {
    void headBytesHex(uri).then((hex) => hex && log.info(`${fileName} starts with: ${hex}`));
  }
  return verdict;
}

/**
 * The edge of a command (style guide §6): a user error becomes a notification naming the file, a bug a
 * notification pointing at the log; a cancelled command stays silent. Everything is logged.
 */
export function reportCommandError(action: string, err: unknown, uri?: vscode.Uri): void {
  const verdict = logFailure(action, err, uri);
  if (verdict.kind === 'cancelled') return;
  if (verdict.kind === 'user') {
    void showError(verdict.message);
    return;
  }
  const showOutput = 'Show Output';
  void showError(verdict.message, showOutput).then((choice) => choice === showOutput && log.show());
}
