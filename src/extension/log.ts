import * as vscode from 'vscode';

/** Name of the output channel every Clipwise message goes to. */
export const logChannelName = 'Clipwise';

let channel: vscode.LogOutputChannel | undefined;

/** Creates the "Clipwise" log output channel; disposed with the extension. */
export function registerLog(context: vscode.ExtensionContext): vscode.LogOutputChannel {
  channel = vscode.window.createOutputChannel(logChannelName, { log: true });
  context.subscriptions.push(channel, { dispose: () => (channel = undefined) });
  return channel;
}

/** The log, or the console before activation has created it (and in plain-Node use). */
export const log = {
  trace: (message: string): void => (channel ? channel.trace(message) : undefined),
  debug: (message: string): void => (channel ? channel.debug(message) : undefined),
  info: (message: string): void => (channel ? channel.info(message) : console.info(message)),
  warn: (message: string): void => (channel ? channel.warn(message) : console.warn(message)),
  error: (message: string | Error): void => (channel ? channel.error(message) : console.error(message)),
  /** Brings the output channel to the front (the "see Output" of an internal error). */
  show: (): void => channel?.show(true),
};
