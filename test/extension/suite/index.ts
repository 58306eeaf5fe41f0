/**
 * The entry VS Code's extension host loads for extensionTestsPath: runs the suites with mocha inside
 * the host, next to Clipwise, and resolves when they pass. Console output reaches the runner through
 * the workbench (window.codeAutomationLog).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

/** Per-test limit; the first test also waits for the workbench to restore and the worker to start. */
const testTimeoutMs = 60_000;

/** Called by the extension host: runs every suite, rejects when a test failed. */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, reporter: 'spec', timeout: testTimeoutMs });
  const grep = process.env.CLIPWISE_TEST_GREP;
  if (grep) mocha.grep(grep);
  const suites = readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort();
  for (const file of suites) mocha.addFile(join(__dirname, file));
  // Last: it fingerprints the tensor files when loaded, before any test, and compares after all.
  mocha.addFile(join(__dirname, 'untouched.js'));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      console.log(`${runner.stats?.passes ?? 0} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} tests failed`));
      else resolve();
    });
  });
}
