import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors';
import { checkBits } from '../core/quant/affineParams';
import { checkClip, checkPercentile, type ClipBounds, type QuantizeRange, type RangeMethod } from '../core/quant/clipRange';
import { objectives, type Objective } from '../core/quant/metrics';
import { defaultMaxTensorBytes } from '../core/formats/tensorFile';

/** The CLI's usage text. */
export const usage = `Usage:
  clipwise info FILE
  clipwise quantize FILE [--tensor NAME] [--bits 8] [--range minmax|percentile] [--percentile 99] [--clip=LO:HI] [--json] [--out CODES.npy]
  clipwise quantize FILE --all [--bits 8] [--range minmax|percentile] [--percentile 99] [--json]
  clipwise search FILE [--tensor NAME] [--bits 8] [--grid 99:100:0.01|nines] [--refine LEVELS]
                       [--method grid|optimal] [--objective mse|mae|maxAbsError|sqnrDb|mseInliers] [--json]

Options:
  --tensor NAME        the tensor to use when the file holds several
  --bits N             code width, 2..16 (default 8)
  --range R            minmax or percentile (default percentile)
  --percentile P       keep values between the (100-P)th and Pth percentile, 50 < P <= 100 (default 99)
  --clip=LO:HI         clip to [LO, HI] as given, such as the best range of search --method optimal
  --grid FROM:TO:STEP  candidate percentiles of a search (default 99:100:0.01); 'nines' for
                       99, 99.9, 99.99, ... as far as the tensor's size resolves, then 100
  --refine LEVELS      refine the grid coarse to fine around the best, LEVELS times (1..6)
  --method M           grid (default), or optimal: both ends of the range searched freely
  --objective M        what the search minimises (sqnrDb is maximised; default mse)
  --outlier-k K        Tukey multiplier for mseInliers (default 3)
  --json               print one JSON object to stdout and nothing else
  --out FILE.npy       write the integer codes as a new .npy (never overwrites)
  --all                quantize every tensor of the file: one line each, or a JSON array
  --max-tensor-bytes N largest tensor read whole, in bytes (suffix KiB, MiB, GiB allowed; default 1GiB)
  --debug              print a stack trace on internal errors
  --version            print clipwise's version
`;

/** Parsed command line. */
export interface CliArgs {
  readonly command: 'info' | 'quantize' | 'search' | 'help' | 'version';
  readonly file: string;
  readonly tensor?: string;
  readonly bits: number;
  readonly range: QuantizeRange;
  readonly percentile: number;
  /** quantize --clip LO:HI: the clipping range itself (range 'clip'). */
  readonly clip?: ClipBounds;
  readonly grid: string;
  readonly refine: number;
  readonly method: 'grid' | 'optimal';
  readonly objective: Objective;
  readonly outlierK: number;
  readonly json: boolean;
  readonly out?: string;
  readonly debug: boolean;
  /** quantize --all: every tensor of the file. */
  readonly all: boolean;
  /** The ReadLimits cap, from --max-tensor-bytes. */
  readonly maxTensorBytes: number;
}

/** --clip LO:HI (written --clip=LO:HI when LO is negative, as for any option value that starts with '-'). */
function parseClip(text: string): ClipBounds {
  const parts = text.split(':');
  const [min, max] = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  if (parts.length !== 2 || Number.isNaN(min) || Number.isNaN(max)) {
    throw new UsageError(`--clip expects LO:HI, two numbers such as --clip=-3.9:3.93; got '${text}'.`);
  }
  return checkClip({ min, max });
}

const byteUnits: Readonly<Record<string, number>> = { '': 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

function parseByteCount(text: string | undefined): number {
  if (text === undefined) return defaultMaxTensorBytes;
  const m = /^\s*(\d+)\s*(kib|mib|gib|tib)?\s*$/i.exec(text);
  const n = m ? Number(m[1]) * byteUnits[(m[2] ?? '').toLowerCase()] : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--max-tensor-bytes expects a positive byte count such as 2147483648 or 2GiB; got '${text}'.`);
  return n;
}

function parseNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} expects a number; got '${text}'.`);
  return n;
}

/** Parses and validates argv (without node and script); throws UsageError with a one-line reason. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        tensor: { type: 'string' },
        bits: { type: 'string' },
        range: { type: 'string' },
        percentile: { type: 'string' },
        grid: { type: 'string' },
        refine: { type: 'string' },
        method: { type: 'string' },
        objective: { type: 'string' },
        'outlier-k': { type: 'string' },
        json: { type: 'boolean' },
        out: { type: 'string' },
        debug: { type: 'boolean' },
        all: { type: 'boolean' },
        'max-tensor-bytes': { type: 'string' },
        clip: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (err) {
    // On one line: Node's message for a value that starts with '-' runs over three.
    throw new UsageError(`${(err as Error).message.replace(/\s*\n\s*/g, ' ').replace(/\.$/, '')}. Run 'clipwise --help' for usage.`);
  }
  const { values: v, positionals } = parsed;
  const [command, file, ...extra] = positionals;
  if (v.help || v.version || command === undefined || command === 'help') {
    return { command: v.help || !v.version ? 'help' : 'version', file: '', bits: 8, range: 'percentile', percentile: 99, grid: '', refine: 0, method: 'grid', objective: 'mse', outlierK: 3, json: false, debug: false, all: false, maxTensorBytes: defaultMaxTensorBytes };
  }
  if (command !== 'info' && command !== 'quantize' && command !== 'search') {
    throw new UsageError(`Unknown command '${command}'; expected info, quantize or search.`);
  }
  if (file === undefined) throw new UsageError(`clipwise ${command} needs a FILE.`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument '${extra[0]}'.`);
  const bits = parseNumber('bits', v.bits, 8);
  checkBits(bits);
  const given = (v.range ?? 'percentile') as RangeMethod;
  if (given !== 'minmax' && given !== 'percentile') throw new UsageError(`--range must be minmax or percentile; got '${v.range}'.`);
  const clip = v.clip === undefined ? undefined : parseClip(v.clip);
  if (clip && command !== 'quantize') throw new UsageError('--clip applies to quantize only.');
  if (clip && (v.range !== undefined || v.percentile !== undefined)) throw new UsageError('--clip sets the range itself; it does not combine with --range or --percentile.');
  const range: QuantizeRange = clip ? 'clip' : given;
  const percentile = parseNumber('percentile', v.percentile, 99);
  checkPercentile(percentile);
  const objective = (v.objective ?? 'mse') as Objective;
  if (!objectives.includes(objective)) throw new UsageError(`--objective must be one of ${objectives.join(', ')}; got '${v.objective}'.`);
  const outlierK = parseNumber('outlier-k', v['outlier-k'], 3);
  if (!(outlierK >= 0)) throw new UsageError(`--outlier-k must be 0 or more; got ${outlierK}.`);
  if (v.out !== undefined && command !== 'quantize') throw new UsageError('--out applies to quantize only.');
  const refine = parseNumber('refine', v.refine, 0);
  const method = v.method ?? 'grid';
  if (method !== 'grid' && method !== 'optimal') throw new UsageError(`--method must be grid or optimal; got '${method}'.`);
  if (command !== 'search' && (v.refine !== undefined || v.method !== undefined || v.grid !== undefined)) {
    throw new UsageError('--grid, --refine and --method apply to search only.');
  }
  if (v.all && command !== 'quantize') throw new UsageError('--all applies to quantize only.');
  if (v.all && (v.tensor !== undefined || v.out !== undefined)) throw new UsageError('--all quantizes every tensor; it does not combine with --tensor or --out.');
  if (v.all && clip) throw new UsageError("--clip is one tensor's range; it does not combine with --all.");
  const maxTensorBytes = parseByteCount(v['max-tensor-bytes']);
  return {
    command,
    file,
    tensor: v.tensor,
    bits,
    range,
    percentile,
    clip,
    grid: v.grid ?? '99:100:0.01',
    refine,
    method,
    objective,
    outlierK,
    json: v.json ?? false,
    out: v.out,
    debug: v.debug ?? false,
    all: v.all ?? false,
    maxTensorBytes,
  };
}
