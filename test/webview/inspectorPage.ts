import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { panelHtml } from '../../src/extension/panel/panelHtml';
import type { FromWebview, ToWebview } from '../../src/protocol/webview';
import type { Probe } from './page/probe';

const repoRoot = join(__dirname, '..', '..');

/** Debian's Chromium, as .ci/run installs it. */
export const chromiumPath = process.env.CLIPWISE_CHROMIUM ?? '/usr/bin/chromium';

const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

/** The theme kinds VS Code marks body with. */
export type ThemeKind = 'vscode-light' | 'vscode-dark' | 'vscode-high-contrast' | 'vscode-high-contrast-light';

/**
 * Builds the webview bundle exactly as scripts/build.mjs does (same entry, options and output),
 * without building the other entries, so this suite depends on the webview alone.
 */
export async function buildWebviewBundle(): Promise<void> {
  await build({
    entryPoints: [join(repoRoot, 'webview/main.ts')],
    outfile: join(repoRoot, 'dist/webview/main.js'),
    bundle: true, sourcemap: true, minify: false, logLevel: 'warning', legalComments: 'none',
    platform: 'browser', target: 'chrome120', format: 'iife',
  });
}

/** The page harness (fake acquireVsCodeApi and probes) as a script to inject before the bundle. */
export async function buildHarness(): Promise<string> {
  const out = await build({
    entryPoints: [join(repoRoot, 'test/webview/page/harness.ts')],
    bundle: true, write: false, platform: 'browser', target: 'chrome120', format: 'iife', logLevel: 'warning',
  });
  return out.outputFiles[0]?.text ?? '';
}

const contentTypes: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.html': 'text/html' };

/** Folders the server may serve from, as localResourceRoots limits the real panel (plus the test theme). */
const servedRoots = ['dist/webview', 'media', 'test/webview/page'];

/** A local http server: `/` is the page panelHtml builds, with the test's stand-in for VS Code's theme variables. */
export class PageServer {
  private server: Server | undefined;
  origin = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.respond(req.url ?? '/').then(
        ({ status, type, body }) => {
          res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
          res.end(body);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async respond(url: string): Promise<{ status: number; type: string; body: string | Buffer }> {
    const path = new URL(url, this.origin).pathname;
    // The browser asks for one on its own; a webview never does.
    if (path === '/favicon.ico') return { status: 204, type: 'image/x-icon', body: '' };
    if (path === '/') {
      const nonce = randomBytes(16).toString('base64');
      const html = panelHtml(this.origin, nonce, `${this.origin}/dist/webview/main.js`, `${this.origin}/media/inspector.css`);
      // VS Code injects its theme variables into every webview; this link stands in for that.
      const themed = html.replace('</head>', `<link rel="stylesheet" href="${this.origin}/test/webview/page/vscodeThemes.css">\n</head>`);
      return { status: 200, type: 'text/html', body: themed };
    }
    const rel = normalize(decodeURIComponent(path).slice(1));
    if (!servedRoots.some((r) => rel.startsWith(r + sep)) || rel.includes('..')) return { status: 404, type: 'text/plain', body: 'not found' };
    try {
      return { status: 200, type: contentTypes[extname(rel)] ?? 'application/octet-stream', body: await readFile(join(repoRoot, rel)) };
    } catch {
      return { status: 404, type: 'text/plain', body: 'not found' };
    }
  }
}

/** Starts Debian's Chromium headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

/** One context for the suite's pages (each page still gets its own fake webview API and state). */
export function newInspectorContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
}

/** What a suite of inspector pages needs first: the harness page, the bundle, a browser and a context, with `server` started. */
export async function startInspectorSuite(server: PageServer): Promise<{ harness: string; browser: Browser; context: BrowserContext }> {
  const [harness, browser] = await Promise.all([buildHarness(), launchChromium(), buildWebviewBundle(), server.start()]);
  return { harness, browser, context: await newInspectorContext(browser) };
}

type ProbeGlobal = { __clipwise: Probe };

/** One inspector page and what the test needs of it. */
export class InspectorPage {
  readonly pageErrors: string[] = [];

  constructor(readonly page: Page) {
    page.on('pageerror', (e) => this.pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') this.pageErrors.push(m.text());
    });
  }

  /** Opens the page with a fake webview API whose saved state is `state`, in a theme kind. */
  static async open(context: BrowserContext, origin: string, harness: string, options: { state?: unknown; theme?: ThemeKind; width?: number; height?: number } = {}): Promise<InspectorPage> {
    const page = await context.newPage();
    if (options.width !== undefined || options.height !== undefined) await page.setViewportSize({ width: options.width ?? 1200, height: options.height ?? 900 });
    await page.addInitScript({ content: `globalThis.__clipwiseInitialState = ${JSON.stringify(options.state ?? null) ?? 'null'};\n${harness}` });
    const p = new InspectorPage(page);
    await page.goto(`${origin}/`);
    await p.setTheme(options.theme ?? 'vscode-dark');
    return p;
  }

  /** Sets body's theme class as VS Code does when the theme changes. */
  async setTheme(kind: ThemeKind): Promise<void> {
    await this.page.evaluate((k) => {
      const body = (globalThis as unknown as { document: { body: { className: string; setAttribute(n: string, v: string): void } } }).document.body;
      body.className = k;
      body.setAttribute('data-vscode-theme-kind', k);
    }, kind);
  }

  /** Delivers a host message (JSON round trip, as VS Code carries it). */
  async deliver(message: ToWebview): Promise<void> {
    await this.page.evaluate((m) => (globalThis as unknown as ProbeGlobal).__clipwise.deliver(m), message as unknown);
  }

  /** Everything the page posted so far. */
  async posted(): Promise<FromWebview[]> {
    return (await this.page.evaluate(() => (globalThis as unknown as ProbeGlobal).__clipwise.posted)) as FromWebview[];
  }

  /** Waits until the page has posted at least `count` messages, then returns them all. */
  async waitForPosted(count: number): Promise<FromWebview[]> {
    await this.page.waitForFunction((n) => (globalThis as unknown as ProbeGlobal).__clipwise.posted.length >= n, count, { timeout: 5000 });
    return this.posted();
  }

  /** Calls a probe method in the page. */
  probe<K extends keyof Probe>(name: K, ...args: Probe[K] extends (...a: infer A) => unknown ? A : never[]): Promise<Probe[K] extends (...a: never[]) => infer R ? R : Probe[K]> {
    return this.page.evaluate(
      ([n, a]) => {
        const p = (globalThis as unknown as ProbeGlobal).__clipwise;
        const member = p[n as keyof Probe];
        return typeof member === 'function' ? (member as (...x: unknown[]) => unknown).apply(p, a as unknown[]) : member;
      },
      [name, args] as const,
    ) as Promise<Probe[K] extends (...a: never[]) => infer R ? R : Probe[K]>;
  }

  /** Waits for an element's attribute to hold a value. */
  async waitForAttribute(selector: string, name: string, value: string): Promise<void> {
    await this.page.waitForFunction(
      ([s, n, v]) => (globalThis as unknown as { document: { querySelector(q: string): { getAttribute(a: string): string | null } | null } }).document.querySelector(s)?.getAttribute(n) === v,
      [selector, name, value] as const,
      { timeout: 5000 },
    );
  }

  /** Waits until the browser has painted what it has (two animation frames). */
  async settle(): Promise<void> {
    await this.page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const raf = (globalThis as unknown as { requestAnimationFrame(cb: () => void): void }).requestAnimationFrame;
          raf(() => raf(() => resolve()));
        }),
    );
  }

  async close(): Promise<void> {
    await this.page.close();
  }
}
