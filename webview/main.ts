// The inspector page's entry: acquire the webview API, build the page, listen to the host, then
// ask for the data (start-up is pulled: `ready` first, the page draws on `show`).
import type { WebviewState } from '../src/protocol/webview';
import { isToWebview } from './hostMessages';
import { Inspector } from './inspector';

const api = acquireVsCodeApi<WebviewState>();
const root = document.getElementById('root') ?? document.body.appendChild(document.createElement('main'));
const inspector = new Inspector(root, api);
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isToWebview(event.data)) inspector.receive(event.data);
});
api.postMessage({ type: 'ready' });
