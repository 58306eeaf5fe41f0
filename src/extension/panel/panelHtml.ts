/** Escapes text for a double-quoted HTML attribute. */
function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The inspector page: a strict Content-Security-Policy (nothing but the extension's own
 * resources, and only the script with this load's nonce), the stylesheet, an empty root the
 * bundle fills, and the bundle. Pure, so the extension and the webview tests build the same page.
 *
 * @param cspSource `webview.cspSource` (a test passes its local http origin)
 * @param nonce fresh per load: `randomBytes(16).toString('base64')`
 * @param scriptUri the bundle dist/webview/main.js, as a webview URI
 * @param styleUri media/inspector.css, as a webview URI
 */
export function panelHtml(cspSource: string, nonce: string, scriptUri: string, styleUri: string): string {
  const csp = [
    "default-src 'none'",
    `img-src ${cspSource}`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(styleUri)}">
<title>Clipwise Inspector</title>
</head>
<body>
<main id="root" class="inspector" aria-busy="true"><p class="loading">Loading tensor…</p></main>
<script nonce="${escapeAttribute(nonce)}" src="${escapeAttribute(scriptUri)}"></script>
</body>
</html>
`;
}
