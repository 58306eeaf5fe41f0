import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../core/errors';

/**
 * Writes a new file atomically: the bytes go to a temporary file beside it, which is then linked
 * into place. Linking fails if the target exists, so nothing the user owns is overwritten
 * unless `overwrite` is set (then the temporary file is renamed over the target).
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, options: { overwrite?: boolean; protect?: readonly string[] } = {}): Promise<void> {
  const target = resolve(path);
  for (const p of options.protect ?? []) {
    if (resolve(p) === target) throw new UsageError(`Refusing to write ${basename(path)}: it is the input file.`);
  }
  // node:crypto and node:fs/promises are loaded here, not at start-up: loading them costs every CLI run
  // 10-40 and 2 ms, and only --out writes.
  const { randomBytes } = require('node:crypto') as typeof import('node:crypto');
  const { link, rename, unlink, writeFile } = require('node:fs/promises') as typeof import('node:fs/promises');
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(temp, bytes, { flag: 'wx' });
  try {
    if (options.overwrite) {
      await rename(temp, target);
      return;
    }
    try {
      await link(temp, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new UsageError(`Refusing to overwrite ${basename(path)}: the file exists. Choose a new path.`);
      }
      throw err;
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
