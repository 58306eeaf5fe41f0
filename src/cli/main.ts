import { basename } from 'node:path';
import { CancelledError, isUserError } from '../core/errors';
import { parseCliArgs } from './args';
import { descriptorOutput } from './descriptorOutput';
import { runCli } from './run';

/**
 * V8 is to compile hot functions on this thread when they turn hot, rather than on a background thread
 * while the slow code goes on running: a CLI run is a few hundred ms of loops that each run once, and
 * measured here a 10^7-element search took 35-60 ms less so (and a thread that shares the work no longer
 * leaves the compiler without a core). The launcher line passes the flag to Node (build.mjs); set here,
 * after start-up, it leaves V8's background compiler in place, whose last job then holds up the exit
 * (25 ms on that search), so it is only the fallback for `node dist/cli.js`. Loaded only then: node:v8
 * brings Node's streams with it (5 ms of start-up).
 */
const noConcurrentCompiling = '--no-concurrent-recompilation';
if (!process.execArgv.includes(noConcurrentCompiling)) (require('node:v8') as typeof import('node:v8')).setFlagsFromString(noConcurrentCompiling);

/** Exit codes: 0 done, 2 any failure (with one line on stderr), 130 interrupted. */
const exitFailure = 2;
const exitInterrupted = 130;

/** Node's own file errors, told as a user would want them (`file`: the one the command names, for errors that carry no path). */
function describeSystemError(err: NodeJS.ErrnoException, file: string | undefined): string | undefined {
  const path = err.path ?? file ?? 'the file';
  switch (err.code) {
    case 'ENOENT': return `${path}: no such file.`;
    case 'EISDIR': return `${path}: is a directory, not a tensor file.`;
    case 'EACCES':
    case 'EPERM': return `${path}: permission denied.`;
    case 'ENOSPC': return `${path}: no space left on the device.`;
    default: return undefined;
  }
}

const stdout = descriptorOutput(1, () => process.stdout);
const stderr = descriptorOutput(2, () => process.stderr);

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
    await runCli(args, { stdout, stderr, signal: controller.signal });
    return 0;
  } catch (err) {
    if (err instanceof CancelledError) {
      stderr.write('clipwise: interrupted.\n');
      return exitInterrupted;
    }
    if (isUserError(err)) {
      const where = file && !err.message.includes(basename(file)) ? `${file}: ` : '';
      stderr.write(`clipwise: ${where}${err.message}\n`);
      return exitFailure;
    }
    const system = err instanceof Error && 'code' in err ? describeSystemError(err as NodeJS.ErrnoException, file) : undefined;
    if (system) {
      stderr.write(`clipwise: ${system}\n`);
      return exitFailure;
    }
    stderr.write(`clipwise: internal error: ${err instanceof Error ? err.message : String(err)}${debug ? '' : ' (run with --debug for details)'}\n`);
    if (debug && err instanceof Error && err.stack) stderr.write(`${err.stack}\n`);
    return exitFailure;
  }
}

void main(process.argv.slice(2)).then(async (code) => {
  process.exitCode = code;
  // Ends as soon as the output is out: waiting for the event loop to drain (the file's asynchronous
  // close, a helper thread's exit) took 25-40 ms more here, and nothing left in it matters any more.
  await stdout.flushed();
  await stderr.flushed();
  process.exit(code);
});
