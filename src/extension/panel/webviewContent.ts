import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { log } from '../log';
import { panelHtml } from './panelHtml';

/** Where the page's bundle and stylesheet live, relative to the extension. */
const scriptPath = ['dist', 'webview', 'main.js'] as const;
const stylePath = ['media', 'inspector.css'] as const;

/** Scripts on, and resources only from the page's bundle and the media folder (style guide §5). */
export function inspectorWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

let isBundleMissingLogged = false;

/** The inspector page with a fresh nonce, its resources through asWebviewUri. */
export function inspectorHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const script = vscode.Uri.joinPath(extensionUri, ...scriptPath);
  if (!isBundleMissingLogged && script.scheme === 'file' && !existsSync(script.fsPath)) {
    isBundleMissingLogged = true;
    log.error(`The inspector page's bundle ${script.fsPath} is missing; run "npm run build". Panels stay empty until it exists.`);
  }
  const nonce = randomBytes(16).toString('base64');
  const scriptUri = webview.asWebviewUri(script).toString();
  const styleUri = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...stylePath)).toString();
  return panelHtml(webview.cspSource, nonce, scriptUri, styleUri);
}
