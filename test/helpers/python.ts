import { execFileSync, spawnSync } from 'node:child_process';

let cached: string | null | undefined;

/** A python3 that imports numpy (the project's reference implementation), or null when none does. */
export function pythonWithNumpy(): string | null {
  if (cached !== undefined) return cached;
  cached = null;
  for (const candidate of [process.env.CLIPWISE_PYTHON, 'python3', '/usr/bin/python3']) {
    if (!candidate) continue;
    const r = spawnSync(candidate, ['-c', 'import numpy'], { stdio: 'ignore' });
    if (r.status === 0) {
      cached = candidate;
      break;
    }
  }
  return cached;
}

/** Runs a Python script with numpy and returns its stdout; fails loudly when numpy is missing. */
export function runPython(script: string, args: string[] = [], input?: string | Buffer): string {
  const python = pythonWithNumpy();
  if (!python) throw new Error('No python3 with numpy found: install python3-numpy (Debian) or set CLIPWISE_PYTHON.');
  return execFileSync(python, ['-c', script, ...args], { input, maxBuffer: 1 << 30, encoding: 'utf8' });
}
