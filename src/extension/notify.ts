import * as vscode from 'vscode';

/** A message shown to the user. */
export interface Notice {
  readonly severity: 'error' | 'warning' | 'information';
  readonly message: string;
}

/** Notices kept for the extension's API (the most recent). */
export const maxKeptNotices = 200;

const notices: Notice[] = [];

function keep(severity: Notice['severity'], message: string): void {
  notices.push({ severity, message });
  if (notices.length > maxKeptNotices) notices.splice(0, notices.length - maxKeptNotices);
}

/** Every notice shown since activation, oldest first. */
export function shownNotices(): readonly Notice[] {
  return [...notices];
}

/** showErrorMessage, remembered. */
export function showError(message: string, ...items: string[]): Thenable<string | undefined> {
  keep('error', message);
  return vscode.window.showErrorMessage(message, ...items);
}

/** showInformationMessage, remembered. */
export function showInformation(message: string, ...items: string[]): Thenable<string | undefined> {
  keep('information', message);
  return vscode.window.showInformationMessage(message, ...items);
}
