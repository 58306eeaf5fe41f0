/** Root hooks of the UI suite: a screenshot of each failed test, and the session stopped at the end. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'mocha';
import { resultsDir, markFailed, session, stopSession } from './session';

/** Registered by mocha through test/e2e/.mocharc.json's `require`. */
export const mochaHooks = {
  async afterEach(this: Context): Promise<void> {
    const test = this.currentTest;
    if (test?.state !== 'failed') return;
    markFailed();
    const s = await session().catch(() => undefined);
    if (!s) return;
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `${test.fullTitle().replace(/[^\w.-]+/g, '_').slice(0, 120)}.png`);
    await s.page.screenshot({ path: file }).catch(() => undefined);
    console.log(`      screenshot: ${file}`);
  },
  async afterAll(): Promise<void> {
    await stopSession();
  },
};
