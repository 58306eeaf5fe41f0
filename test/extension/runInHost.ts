/**
 * Runs the suites of test/extension/suite inside the node extension host of a real VS Code
 * (code-server), with Clipwise loaded from this folder as a development extension: the standard
 * extensionDevelopmentPath + extensionTestsPath model, reached through the workbench URL's payload.
 * Headless Chromium only hosts the workbench; mocha runs in the extension host, and its output comes
 * back through window.codeAutomationLog, its exit code through window.codeAutomationExit.
 *
 * Usage: tsx test/extension/runInHost.ts        (npm run test:extension builds first)
 * Env:   CLIPWISE_TEST_GREP=text   only the tests whose title matches
 *        CLIPWISE_TEST_TIMEOUT=s   the whole run's limit (default 300)
 *        KEEP=1                    keep the run's temp folder; VERBOSE=1 relay the workbench's noise too
 * Exit:  0 when every test passed, 1 when some failed, 2 when the run itself failed.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { build } from 'esbuild';
import { launchChromium, newWorkbenchContext, repoRoot, VsCodeRun } from '../../scripts/vscode-tools/codeServer';

const suiteDir = join(repoRoot, 'test', 'extension', 'suite');
const outDir = join(repoRoot, 'out', 'test', 'extension');
const timeoutMs = Number(process.env.CLIPWISE_TEST_TIMEOUT ?? 300) * 1000;

/** Workbench chatter that says nothing about Clipwise (shown with VERBOSE=1). */
const noise = /open-vsx\.org|^\s*at |Resolving connection|Creating a socket|Service Worker|AgentHost|AccountPolicyGate|builtin extensions cache|grace time|Failed to load resource|404 \(Not Found\)|vsda|\[Extension Host\] Debugger/;

/** Bundles every suite (one bundle each, as mocha loads files one by one) and the entry into out/test/extension. */
async function buildSuites(): Promise<void> {
  const entries = readdirSync(suiteDir)
    .filter((f) => f.endsWith('.test.ts') || f === 'index.ts' || f === 'untouched.ts')
    .map((f) => join(suiteDir, f));
  await build({
    entryPoints: entries, outdir: outDir, bundle: true, platform: 'node', target: 'node20', format: 'cjs',
    external: ['vscode', 'mocha'], sourcemap: 'inline', logLevel: 'warning',
  });
}

async function main(): Promise<number> {
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  await buildSuites();
  if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) console.log('[runner] dist/extension.js is missing: run npm run build (the suites will fail to find Clipwise)');

  const run = new VsCodeRun({ workspace: join(repoRoot, 'test', 'fixtures', 'workspace'), label: 'clipwise-inhost' });
  let code = 2;
  let summary: string | undefined;
  try {
    await run.start({ smokeTestDriver: true, env: process.env.CLIPWISE_TEST_GREP ? { CLIPWISE_TEST_GREP: process.env.CLIPWISE_TEST_GREP } : {} });
    console.log(`[runner] code-server ready on port ${run.port} after ${seconds()} s`);
    const browser = await launchChromium();
    try {
      const page = await (await newWorkbenchContext(browser)).newPage();
      let exit: (code: number) => void = () => undefined;
      const exited = new Promise<number>((resolve) => (exit = resolve));
      await page.exposeFunction('codeAutomationExit', (c: number) => exit(c));
      await page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
        const line = format(...(Array.isArray(args) ? args : [args]));
        if (/^\d+ passed, \d+ failed$/.test(line.trim())) summary = line.trim();
        if (!process.env.VERBOSE && noise.test(line)) return;
        console.log(type === 'error' ? `[host error] ${line}` : line);
      });
      await page.goto(run.workbenchUrl([
        ['extensionDevelopmentPath', run.remoteUri(repoRoot)],
        ['extensionTestsPath', run.remoteUri(join(outDir, 'index.js'))],
      ]));
      const result = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref())]);
      if (result === 'timeout') {
        const shot = join(run.tmp, 'timeout.png');
        await page.screenshot({ path: shot }).catch(() => undefined);
        console.log(`[runner] the suites did not finish within ${timeoutMs / 1000} s; screenshot ${shot}`);
      } else {
        code = result === 0 ? 0 : 1;
      }
    } finally {
      await browser.close().catch(() => undefined);
    }
  } catch (err) {
    console.log(`[runner] ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  } finally {
    await run.stop({ keep: code !== 0 });
  }
  console.log(`[runner] exit code ${code} after ${seconds()} s${code === 0 ? '' : `; server log ${run.logFile}`}`);
  console.log(summary ?? (code === 0 ? '0 passed, 0 failed' : '0 passed, 1 failed'));
  return code;
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err);
  process.exit(2);
});
