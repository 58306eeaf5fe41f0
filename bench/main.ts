// npm run bench [-- --sizes 1e5,1e6,1e7 --dists uniformOutliers,normal,laplace,studentT3 --runs 5 --no-numpy --no-torch --no-direct16]
// Generates seeded float32 tensors in .bench/, then measures Clipwise against the notebook-style numpy
// search, the one-pass floor, the direct method at 16 bits and PyTorch's HistogramObserver, in one run.
// "CLI" is the whole `clipwise search FILE --json` process as a user runs it (dist/cli.js through its
// launcher line: start-up, reading, search, output), the median of --runs runs, taken in rounds over the
// tensors of one size with numpy's runs between them; numpy's is its whole process too, one run. "search
// in process" is the same search from the same file inside this process, as the CLI does it after
// start-up (the file read twice, left in radix buckets, 101 candidates summed over them) in a process that
// has searched before and kept its helper thread (as the editor's worker does), the median of --runs
// runs; the floor is one plain JavaScript pass summing the file's float32 values, the fastest of 9 (a
// pass over data in memory: nothing that reads the values can beat it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { affineParams } from '../src/core/quant/affineParams';
import { measureDirect } from '../src/core/quant/metrics';
import { PreparedValues } from '../src/core/quant/preparedValues';
import { openTensorFile } from '../src/core/formats/openTensorFile';
import { buildSearchReport } from '../src/core/report/buildReports';
import { prepareSearchSubject } from '../src/core/report/searchSubject';
import { pickBest } from '../src/core/search/candidate';
import { openFileByteSource } from '../src/host/fileByteSource';
import { helpedSubjectOptions, SearchHelperPool, type SearchHelper } from '../src/host/searchHelper';
import { searchSorts } from '../src/core/search/bucketedMeasure';
import { directGridSearch } from '../src/core/search/directGridSearch';
import { fastGridSearch } from '../src/core/search/fastGridSearch';
import { defaultGrid, gridCandidates } from '../src/core/search/gridSpec';
import { optimalRangeSearch } from '../src/core/search/optimalRangeSearch';

const benchDir = '.bench';
const dists = ['uniformOutliers', 'normal', 'laplace', 'studentT3'] as const;
type Dist = (typeof dists)[number];

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

/** Seeded samples: uniform(-80,100) with 0.1% outliers in [300,600], normal, Laplace, Student-t(3). */
function generate(dist: Dist, n: number): Float32Array {
  const rng = seedrandom(`clipwise-bench-${dist}-${n}`);
  const normal = () => Math.sqrt(-2 * Math.log(rng() || 1e-300)) * Math.cos(2 * Math.PI * rng());
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (dist === 'uniformOutliers') x[i] = rng() < 0.001 ? 300 + 300 * rng() : -80 + 180 * rng();
    else if (dist === 'normal') x[i] = normal();
    else if (dist === 'laplace') {
      const r = rng() - 0.5;
      x[i] = -Math.sign(r) * Math.log(1 - 2 * Math.abs(r) || 1e-300);
    } else {
      const z = normal();
      const c = normal() ** 2 + normal() ** 2 + normal() ** 2;
      x[i] = z / Math.sqrt(c / 3);
    }
  }
  return x;
}

/** A .npy v1.0 file of a 1-D little-endian float32 array. */
function encodeNpyFloat32(x: Float32Array): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${x.length},), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + x.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength), 10 + header.length);
  return out;
}

/** Reads back the float32 values encodeNpyFloat32 wrote. */
function readNpyFloat32(path: string): Float32Array {
  const bytes = readFileSync(path);
  const headerLength = bytes[8] | (bytes[9] << 8);
  const start = 10 + headerLength;
  const n = (bytes.length - start) / 4;
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + start + n * 4));
}

function tensorPath(dist: Dist, n: number): string {
  const path = join(benchDir, `${dist}-${n}.npy`);
  if (!existsSync(path)) writeFileSync(path, encodeNpyFloat32(generate(dist, n)));
  return path;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One pass summing the values with four accumulators. */
function plainSum(x: Float32Array): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 3 < x.length; i += 4) {
    a += x[i];
    b += x[i + 1];
    c += x[i + 2];
    d += x[i + 3];
  }
  for (; i < x.length; i++) a += x[i];
  return a + b + c + d;
}

/**
 * One plain JavaScript pass summing the values, the fastest of 9 after a warm-up on a short odd-length
 * array (performance notes: OSR): nothing that reads the data can beat it.
 */
function floorMs(x: Float32Array): number {
  let sink = 0;
  const warm = x.subarray(0, 10001);
  for (let r = 0; r < 50; r++) sink += plainSum(warm);
  let best = Infinity;
  for (let r = 0; r < 9; r++) {
    const t = performance.now();
    sink += plainSum(x);
    best = Math.min(best, performance.now() - t);
  }
  if (sink === 0.5) console.log('');
  return best;
}

/** One tensor's search in this process: the floor, the median time, the last run's winner. */
interface InProcessRun {
  readonly floor: number;
  readonly coreMs: number;
  readonly best: { readonly percentile: number | null; readonly mse: number };
}

/** The helper thread this process keeps between its searches, as the editor's worker keeps its own. */
const helpers = new SearchHelperPool();

/** The CLI's search from the file, inside this process: two passes, the buckets' sums, 101 candidates, with the kept helper thread. */
async function searchInProcessMs(path: string, bits: number): Promise<{ ms: number; percentile: number | null; mse: number }> {
  const t = performance.now();
  const source = await openFileByteSource(path, { synchronous: true });
  let helper: SearchHelper | undefined;
  try {
    const file = await openTensorFile(source);
    const info = file.tensors[0];
    const name = info.name;
    const sorts = searchSorts('grid', bits, `${defaultGrid.from}:${defaultGrid.to}:${defaultGrid.step}`, info.count);
    helper = helpers.helperFor(info, { sorts });
    const subject = await prepareSearchSubject(file, name, {}, helpedSubjectOptions(helper, sorts));
    const report = await buildSearchReport(subject, { bits, grid: defaultGrid, objective: 'mse' });
    return { ms: performance.now() - t, percentile: report.best.percentile, mse: report.best.metrics.mse };
  } finally {
    helper?.close();
    await source.close();
  }
}

/** Median wall time of `runs` runs of a command, and its last run's output; NaN when a run fails. */
function timeCommand(command: string, args: readonly string[], runs: number): { ms: number; stdout: string } {
  const times: number[] = [];
  let stdout = '';
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    const out = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (out.status !== 0) return { ms: NaN, stdout: out.stderr };
    times.push(performance.now() - t);
    stdout = out.stdout;
  }
  return { ms: median(times), stdout };
}

/** Peak resident memory of one run of a command in MB, through GNU time; NaN where it is missing. */
function peakRssMB(command: string, args: readonly string[]): number {
  if (!existsSync('/usr/bin/time')) return NaN;
  const r = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const kb = Number(r.stderr.trim().split('\n').pop());
  return r.status === 0 && Number.isFinite(kb) ? kb / 1024 : NaN;
}

const numpyScript = `
import sys, time, json
import numpy as np
t0 = time.perf_counter()
x = np.load(sys.argv[1]).astype(np.float64)
bits = int(sys.argv[2])
cands = []
i = 0
while True:
    raw = 99 + i * 0.01
    if not raw <= 100 + 0.01 * 1e-9: break
    cands.append(round(raw, 10)); i += 1
best = None
for p in cands:
    alpha = np.percentile(x, p); beta = np.percentile(x, 100 - p)
    scale = (alpha - beta) / (2**bits - 1)
    zp = -1 * np.round(beta / scale)
    q = np.clip(np.round(x / scale + zp), 0, 2**bits - 1)
    mse = np.mean((x - scale * (q - zp)) ** 2)
    if best is None or mse < best[1] or (mse == best[1] and p > best[0]): best = (p, mse)
t1 = time.perf_counter()
try:
    from threadpoolctl import threadpool_info
    blas = ';'.join(str(d.get('internal_api')) + ':' + str(d.get('architecture')) for d in threadpool_info())
except Exception:
    blas = 'threadpoolctl not installed'
print(json.dumps({'searchMs': (t1 - t0) * 1e3, 'best': best[0], 'mse': best[1], 'blas': blas}))
`;

const torchScript = `
import sys, time, json
import numpy as np, torch
x = torch.from_numpy(np.load(sys.argv[1]))
t0 = time.perf_counter()
obs = torch.ao.quantization.HistogramObserver(dtype=torch.quint8, qscheme=torch.per_tensor_affine)
obs(x)
scale, zp = obs.calculate_qparams()
t1 = time.perf_counter()
scale = float(scale); zp = int(zp)
xd = x.double().numpy()
q = np.clip(np.round(xd / scale + zp), 0, 255)
mse = float(np.mean((xd - scale * (q - zp)) ** 2))
print(json.dumps({'ms': (t1 - t0) * 1e3, 'mse': mse, 'scale': scale, 'zp': zp}))
`;

function findPython(module: string): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    if (spawnSync(py, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}

/** The reference command's environment: without the OpenBLAS overrides that slow a current numpy (env notes). */
function numpyEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

interface Row {
  [column: string]: string;
}

function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

async function main(): Promise<void> {
  mkdirSync(benchDir, { recursive: true });
  const sizes = (option('sizes') ?? '1e5,1e6,1e7').split(',').map(Number);
  const chosen = (option('dists') ?? dists.join(',')).split(',') as Dist[];
  const bits = Number(option('bits') ?? 8);
  const runs = Math.max(1, Number(option('runs') ?? 5));
  const numpyPy = flag('no-numpy') ? null : findPython('numpy');
  const torchPy = flag('no-torch') ? null : findPython('torch');
  if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js is missing: run `node scripts/build.mjs` first (npm run bench does).');
  const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, node ${process.version}; load average at start ${load()}`);
  console.log(`numpy reference: ${numpyPy ?? 'not run (no python3 with numpy)'}; torch: ${torchPy ?? 'not run: python3-torch is not installed (Debian package python3-torch)'}`);
  // Warm the kernels on a short odd-length input first (performance notes: OSR).
  const warm = new PreparedValues(Float64Array.from(generate('normal', 20001)), 'warm');
  fastGridSearch(warm, bits, gridCandidates(defaultGrid), 3);
  optimalRangeSearch(warm, bits, 'mse', 3);
  fastGridSearch(warm, 16, gridCandidates(defaultGrid), 3);
  directGridSearch(warm, 16, gridCandidates(defaultGrid), 3);
  const rows: Row[] = [];
  const qualityRows: Row[] = [];
  for (const n of sizes) {
    // In process, tensor by tensor: the floor and the CLI's search from the file (two passes, the
    // buckets' sums, 101 candidates).
    const inProcess = new Map<Dist, InProcessRun>();
    for (const dist of chosen) {
      const path = tensorPath(dist, n);
      const floor = floorMs(readNpyFloat32(path));
      const coreTimes: number[] = [];
      let best = await searchInProcessMs(path, bits);
      for (let r = 0; r < runs; r++) {
        best = await searchInProcessMs(path, bits);
        coreTimes.push(best.ms);
      }
      inProcess.set(dist, { floor, coreMs: median(coreTimes), best });
    }
    // Whole processes, the CLI (through its launcher line) and numpy, interleaved: round r runs the CLI
    // once on every tensor, then numpy on the r-th. The machine has slow stretches of a minute or more,
    // and a tensor's CLI runs taken back to back (2 s) measured whichever stretch they fell in; spread
    // over the numpy runs (about 2.5 minutes at 10^7), both sides see the same stretches.
    const cliTimes = new Map<Dist, number[]>(chosen.map((d) => [d, []]));
    const cliOutput = new Map<Dist, string>();
    const numpyRuns = new Map<Dist, { ms: number; best: string }>();
    const cliArgsOf = (dist: Dist) => ['search', tensorPath(dist, n), '--json', '--bits', String(bits)];
    for (let r = 0; r < Math.max(runs, numpyPy ? chosen.length : 0); r++) {
      if (r < runs) {
        for (const dist of chosen) {
          const run = timeCommand('dist/cli.js', cliArgsOf(dist), 1);
          cliTimes.get(dist)?.push(run.ms);
          if (Number.isFinite(run.ms)) cliOutput.set(dist, run.stdout);
        }
      }
      const dist = chosen[r];
      if (numpyPy && dist) {
        const t = performance.now();
        const out = spawnSync(numpyPy, ['-c', numpyScript, tensorPath(dist, n), String(bits)], { encoding: 'utf8', env: numpyEnv() });
        numpyRuns.set(dist, out.status === 0 ? { ms: performance.now() - t, best: String(JSON.parse(out.stdout).best) } : { ms: NaN, best: 'n/a' });
      }
    }
    for (const dist of chosen) {
      const path = tensorPath(dist, n);
      const floats = readNpyFloat32(path);
      const x = Float64Array.from(floats);
      const { floor, coreMs, best } = inProcess.get(dist) as InProcessRun;
      const times = cliTimes.get(dist) ?? [];
      const cli = { ms: times.some((ms) => !Number.isFinite(ms)) ? NaN : median(times), stdout: cliOutput.get(dist) ?? '' };
      const cliBest = Number.isFinite(cli.ms) ? String(JSON.parse(cli.stdout).best.percentile) : 'failed';
      const rssMB = peakRssMB('dist/cli.js', cliArgsOf(dist));
      const numpyMs = numpyRuns.get(dist)?.ms ?? NaN;
      const numpyBest = numpyRuns.get(dist)?.best ?? 'n/a';
      let t = performance.now();
      // 16 bits: fast against the direct method on the same candidates.
      let fast16 = NaN;
      let direct16 = NaN;
      let fastWinner: number | null = null;
      let directWinner: number | null = null;
      if (!flag('no-direct16')) {
        // Alternating which goes first, medians of three where a run is short: at small n both are the
        // direct pass (2^16 codes against n values), and one run each measured mostly their order.
        const fastTimes: number[] = [];
        const directTimes: number[] = [];
        const reps = n <= 1e6 ? 3 : 1;
        for (let r = 0; r < reps; r++) {
          for (const which of r % 2 === 0 ? ['fast', 'direct'] : ['direct', 'fast']) {
            t = performance.now();
            const search = which === 'fast' ? fastGridSearch : directGridSearch;
            const result = search(new PreparedValues(x, dist), 16, gridCandidates(defaultGrid), 3);
            (which === 'fast' ? fastTimes : directTimes).push(performance.now() - t);
            if (which === 'fast') fastWinner = pickBest(result, 'mse').percentile;
            else directWinner = pickBest(result, 'mse').percentile;
          }
        }
        fast16 = median(fastTimes);
        direct16 = median(directTimes);
        if (fastWinner !== directWinner) console.log(`16-bit winners differ on ${dist} ${n}`);
      }
      rows.push({
        tensor: `${dist} ${n.toExponential(0)}`,
        'CLI process ms': fmt(cli.ms, 0),
        'numpy process ms': fmt(numpyMs, 0),
        'numpy / CLI': fmt(numpyMs / cli.ms),
        'search in process ms': fmt(coreMs),
        'floor ms': fmt(floor, 2),
        'in process / floor': fmt(coreMs / floor),
        best: String(best.percentile),
        'CLI best': cliBest,
        'numpy best': numpyBest,
        'same winner': numpyPy ? (numpyBest === String(best.percentile) && cliBest === numpyBest ? 'yes' : 'NO') : 'n/a',
        'peak RSS MB (CLI)': fmt(rssMB, 0),
        'peak / float64 size': fmt((rssMB * 1024 * 1024) / (8 * n), 2),
        '16-bit fast ms': fmt(fast16, 0),
        '16-bit direct ms': fmt(direct16, 0),
      });
      // Quality: --method optimal against the grid and HistogramObserver.
      t = performance.now();
      const opt = optimalRangeSearch(new PreparedValues(x, dist), bits, 'mse', 3);
      const optMs = performance.now() - t;
      const plain = new PreparedValues(x, dist);
      const minmax = measureDirect(plain.finite, affineParams(plain.min, plain.max, bits), plain.fences(3));
      let torchMse = NaN;
      let torchMs = NaN;
      if (torchPy) {
        const r = spawnSync(torchPy, ['-c', torchScript, path], { encoding: 'utf8', env: numpyEnv() });
        if (r.status === 0) {
          const o = JSON.parse(r.stdout);
          torchMse = o.mse;
          torchMs = o.ms;
        }
      }
      qualityRows.push({
        tensor: `${dist} ${n.toExponential(0)}`,
        'min-max MSE': minmax.mse.toPrecision(6),
        'grid best MSE': `${best.mse.toPrecision(6)} (P=${best.percentile})`,
        'optimal MSE': opt.best.metrics.mse.toPrecision(6),
        'optimal range (percentiles)': `[${opt.best.lowerPercentile.toFixed(5)}, ${opt.best.upperPercentile.toFixed(5)}]`,
        'optimal ms (incl. sort)': fmt(optMs, 0),
        evaluations: String(opt.evaluations),
        'HistogramObserver MSE': torchPy ? torchMse.toPrecision(6) : 'not installed',
        'HistogramObserver ms': torchPy ? fmt(torchMs, 0) : 'n/a',
        'optimal <= HistObs': torchPy ? (opt.best.metrics.mse <= torchMse ? 'yes' : 'NO') : 'n/a',
      });
      console.error(`done ${dist} ${n}`);
    }
  }
  console.log(`load average at end ${load()}; times are medians of ${runs} runs (numpy: one run)`);
  printTable(rows);
  console.log('');
  printTable(qualityRows);
}

function printTable(rows: Row[]): void {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]);
  console.log(`| ${cols.join(' | ')} |`);
  console.log(`|${cols.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${cols.map((c) => r[c]).join(' | ')} |`);
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => helpers.close());
