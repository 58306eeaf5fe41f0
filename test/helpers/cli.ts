import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
let built = false;

/** Bundles the project once per test run, so tests exercise the shipped dist/cli.js. */
export function ensureBuilt(): void {
  if (built && existsSync(join(root, 'dist', 'cli.js'))) return;
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
  built = true;
}

/** Result of one CLI process. */
export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `clipwise ARGS` as a real process. */
export function runClipwise(args: readonly string[], cwd = root): CliRun {
  ensureBuilt();
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The repository root. */
export const repoRoot = root;
