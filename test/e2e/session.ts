/**
 * One VS Code for the whole UI suite: Clipwise packaged as a .vsix and installed into a fresh
 * code-server, the workspace of test/fixtures/workspace (plus long-tail.npy, a large tensor written at start), and
 * one Chromium page on the workbench. Started by the first test that asks, stopped by hooks.ts.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { encodeNpy } from '../../src/core/formats/npyWriter';
import type { QuantizeReport, SearchReport } from '../../src/core/report/reportTypes';
import { launchChromium, newWorkbenchContext, repoRoot, VsCodeRun } from '../../scripts/vscode-tools/codeServer';
import { Workbench } from './pageObjects/workbench';

/** Screenshots of every run, and of failed tests. */
export const resultsDir = join(repoRoot, 'test-results', 'e2e');

/**
 * Where the pictures go: test-results/e2e (ignored) on every run; CLIPWISE_UPDATE_SCREENSHOTS=1
 * writes them into docs/images, where README takes them from.
 */
export const imagesDir = process.env.CLIPWISE_UPDATE_SCREENSHOTS === '1' ? join(repoRoot, 'docs', 'images') : resultsDir;

/** The themes of the pictures, as the theme picker lists them; the session starts dark. */
export const darkTheme = 'Dark Modern';
export const lightTheme = 'Light Modern';

/** Elements of the large tensor a long grid search runs on. */
export const largeTensorCount = 2_000_000;

/** The running VS Code, its browser page and what the suites do with them. */
export interface Session {
  readonly run: VsCodeRun;
  readonly browser: Browser;
  readonly page: Page;
  readonly workbench: Workbench;
  /** A file of the run's workspace. */
  file(name: string): string;
  /** Picks a color theme and waits for the workbench to show it. */
  setTheme(theme: typeof darkTheme | typeof lightTheme): Promise<void>;
}

let current: Promise<Session> | undefined;
let failed = false;

/** The session, started on first use. */
export function session(): Promise<Session> {
  current ??= start();
  return current;
}

/** Marks the run as failed, so that its temp folder is kept for the logs. */
export function markFailed(): void {
  failed = true;
}

/** Stops the session if it was started. */
export async function stopSession(): Promise<void> {
  if (!current) return;
  const s = await current.catch(() => undefined);
  current = undefined;
  if (!s) return;
  await s.browser.close().catch(() => undefined);
  await s.run.stop({ keep: failed });
}

/** A float32 tensor, deterministic, with a heavy tail, large enough that a fine grid search takes a while. */
function writeLargeTensor(path: string): void {
  const values = new Float32Array(largeTensorCount);
  let seed = 7;
  for (let i = 0; i < values.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const u = (seed + 0.5) / 2 ** 32;
    values[i] = Math.tan(Math.PI * (u - 0.5)) * 0.01;
  }
  writeFileSync(path, encodeNpy(values, [largeTensorCount], 'float32'));
}

async function start(): Promise<Session> {
  const run = new VsCodeRun({
    workspace: join(repoRoot, 'test', 'fixtures', 'workspace'),
    label: 'clipwise-e2e',
    userSettings: { 'workbench.colorTheme': `Default ${darkTheme}` },
  });
  try {
    const vsix = join(run.tmp, 'clipwise.vsix');
    await promisify(execFile)(process.execPath, [join(repoRoot, 'scripts', 'vscode-tools', 'package.mjs'), '--out', vsix], { cwd: repoRoot, timeout: 120_000 });
    await run.installVsix(vsix);
    writeLargeTensor(join(run.workspace, 'long-tail.npy'));
    await run.start();
    const browser = await launchChromium();
    const page = await (await newWorkbenchContext(browser)).newPage();
    const workbench = new Workbench(page);
    await page.goto(run.workbenchUrl());
    await workbench.ready();
    const setTheme = (theme: string) => workbench.pickColorTheme(theme, theme === lightTheme ? 'vs' : 'vs-dark');
    return { run, browser, page, workbench, file: (name) => join(run.workspace, name), setTheme };
  } catch (err) {
    await run.stop({ keep: true });
    throw err;
  }
}

/** Runs the project's CLI (the bundle the package was built with) and parses its --json output. */
export async function cliJson<T>(args: readonly string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args, '--json'], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as T;
}

/** `clipwise quantize FILE --json`. */
export const cliQuantize = (file: string, options: readonly string[] = []) => cliJson<QuantizeReport>(['quantize', file, ...options]);

/** `clipwise search FILE --json`. */
export const cliSearch = (file: string, options: readonly string[] = []) => cliJson<SearchReport>(['search', file, ...options]);

/** Saves a picture (for README, with CLIPWISE_UPDATE_SCREENSHOTS=1). */
export async function savePicture(page: Page, name: string): Promise<void> {
  mkdirSync(imagesDir, { recursive: true });
  await page.screenshot({ path: join(imagesDir, name) });
}
