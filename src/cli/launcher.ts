// dist/cli.js, the `clipwise` command: runs the CLI's bundle (dist/cliMain.js) through the code cache the
// build keeps beside it (see codeCache.ts). The build runs a search through it once with
// CLIPWISE_SAVE_CODE_CACHE=1 set, and the cache is written at that run's exit, with the bytecode of every
// function the search ran.
import { join } from 'node:path';
import { compileWithCodeCache } from '../host/codeCache';

const bundle = compileWithCodeCache(join(__dirname, 'cliMain.js'));
if (process.env.CLIPWISE_SAVE_CODE_CACHE === '1') process.once('exit', () => bundle.saveCache());
bundle.run(module, require);
