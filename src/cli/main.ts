import { basename } from 'node:path';
import { CancelledError, isUserError } from '../core/errors';
import { parseCliArgs } from './args';
import { runCli } from './run';

/** Exit codes: 0 done, 2 any failure (with one line on stderr), 130 interrupted. */
const exitFailure = 2;
const exitInterrupted = 130;

/** Node's own file errors, told as a user would want them. */
function describeSystemError(err: NodeJS.ErrnoException): string | undefined {
  const path = err.path ?? 'the file';
  switch (err.code) {
    case 'ENOENT': return `${path}: no such file.`;
    case 'EISDIR': return `${path}: is a directory, not a tensor file.`;
    case 'EACCES':
    case 'EPERM': return `${path}: permission denied.`;
    case 'ENOSPC': return `${path}: no space left on the device.`;
    default: return undefined;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const controller = new AbortController();
  const debug = argv.includes('--debug');
  let file: string | undefined;
  try {
    const args = parseCliArgs(argv);
    file = args.file;
    // Ctrl-C: a command that writes a file stops through the abort signal, so that its temporary
    // file is removed. A search or a listing writes nothing and keeps Node's default, which ends the
    // process at once (status 130 in the shell), helper thread included: a search's sort and candidates
    // run without a turn of the event loop, where a handler would wait for them (seconds at 16 bits).
    if (args.command === 'quantize') process.once('SIGINT', () => controller.abort());
    await runCli(args, { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
    return 0;
  } catch (err) {
    if (err instanceof CancelledError) {
      process.stderr.write('clipwise: interrupted.\n');
      return exitInterrupted;
    }
    if (isUserError(err)) {
      const where = file && !err.message.includes(basename(file)) ? `${file}: ` : '';
      process.stderr.write(`clipwise: ${where}${err.message}\n`);
      return exitFailure;
    }
    const system = err instanceof Error && 'code' in err ? describeSystemError(err as NodeJS.ErrnoException) : undefined;
    if (system) {
      process.stderr.write(`clipwise: ${system}\n`);
      return exitFailure;
    }
    process.stderr.write(`clipwise: internal error: ${err instanceof Error ? err.message : String(err)}${debug ? '' : ' (run with --debug for details)'}\n`);
    if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return exitFailure;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
