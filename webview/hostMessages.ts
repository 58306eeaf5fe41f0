import type { ToWebview } from '../src/protocol/webview';

/** The tags the page understands; anything else arriving on `message` is not from the host. */
const toWebviewTypes: ReadonlySet<string> = new Set<ToWebview['type']>(['show', 'quantized', 'progress', 'searchResult', 'exported', 'failed']);

/** True when the data has the shape of a host message (a known tag on an object). */
export function isToWebview(data: unknown): data is ToWebview {
  if (typeof data !== 'object' || data === null) return false;
  const type = (data as { type?: unknown }).type;
  return typeof type === 'string' && toWebviewTypes.has(type);
}
