// Figures for large tensor files (issue 5): listing a 2 GB .safetensors and quantizing one
// 10^8-element F16 tensor with min-max. Files are made in a temporary folder and removed after.
// Call benchFormats() from bench/main.ts (npm run bench), or run alone: npx tsx bench/formats.ts
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTensorFile } from '../src/core/formats/openTensorFile';
import { openFileByteSource } from '../src/host/fileByteSource';

/** What benchFormats measures. */
export interface FormatsBenchFigures {
  readonly listing: {
    readonly fileBytes: number;
    readonly tensors: number;
    /** Bytes the reader asked the file for. */
    readonly bytesRead: number;
    readonly medianMs: number;
    readonly maxMs: number;
    /** Peak RSS of `clipwise info --json` on the big file, and on a one-tensor file of a few bytes. */
    readonly cliPeakRssMiB: number;
    readonly cliPeakRssSmallFileMiB: number;
  };
  readonly quantize: {
    readonly elements: number;
    readonly fileBytes: number;
    readonly seconds: number;
    readonly elementsPerSecond: number;
    /** Peak RSS of `clipwise quantize --range minmax --json` on the tensor. */
    readonly cliPeakRssMiB: number;
  };
}

/** Options: sizes default to the (2 GB file, 10^8 elements); `log` prints each figure. */
export interface FormatsBenchOptions {
  readonly listingFileBytes?: number;
  readonly listingTensors?: number;
  readonly elements?: number;
  readonly listingRuns?: number;
  readonly log?: (line: string) => void;
}

const mib = 1024 * 1024;

/** Runs both figures and returns them; prints them through `log`. */
export async function benchFormats(options: FormatsBenchOptions = {}): Promise<FormatsBenchFigures> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dir = mkdtempSync(join(tmpdir(), 'clipwise-bench-formats-'));
  try {
    const listing = await benchListing(dir, options.listingFileBytes ?? 2e9, options.listingTensors ?? 291, options.listingRuns ?? 21);
    log(
      `list ${(listing.fileBytes / 1e9).toFixed(1)} GB .safetensors (${listing.tensors} tensors): median ${listing.medianMs.toFixed(2)} ms, ` +
        `max ${listing.maxMs.toFixed(2)} ms, ${listing.bytesRead} bytes read; clipwise info peak RSS ${listing.cliPeakRssMiB.toFixed(0)} MiB ` +
        `(${listing.cliPeakRssSmallFileMiB.toFixed(0)} MiB on a tiny file)`,
    );
    const quantize = benchQuantize(dir, options.elements ?? 1e8);
    log(
      `quantize ${quantize.elements.toExponential(0)} F16 elements (${(quantize.fileBytes / mib).toFixed(0)} MiB) min-max 8 bits: ` +
        `${quantize.seconds.toFixed(2)} s, ${(quantize.elementsPerSecond / 1e6).toFixed(1)} M elements/s, peak RSS ${quantize.cliPeakRssMiB.toFixed(0)} MiB`,
    );
    return { listing, quantize };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes a .safetensors file: the header length, the JSON header padded with spaces to a multiple of
 * 8 bytes (as the reference `save` writes it), then `dataBytes` of data from `writeData`. Returns the file's size.
 */
function writeSafetensors(path: string, header: Record<string, unknown>, dataBytes: number, writeData: (fd: number, fileBytes: number) => void): number {
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - (text.length % 8)) % 8);
  const fd = openSync(path, 'w');
  try {
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(text.length));
    writeSync(fd, length);
    writeSync(fd, text);
    const size = 8 + text.length + dataBytes;
    writeData(fd, size);
    return size;
  } finally {
    closeSync(fd);
  }
}

/** Writes a .safetensors whose header names `tensors` F16 tensors filling `fileBytes`; the data is a sparse hole of zeros. */
function writeSparseSafetensors(path: string, fileBytes: number, tensors: number): number {
  const headerGuess = 128 * tensors + 64;
  const elementsEach = Math.floor((fileBytes - headerGuess) / tensors / 2);
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  for (let i = 0; i < tensors; i++) {
    const begin = i * elementsEach * 2;
    header[`model.layers.${Math.floor(i / 9)}.block.${i % 9}.weight`] = { dtype: 'F16', shape: [elementsEach], data_offsets: [begin, begin + elementsEach * 2] };
  }
  return writeSafetensors(path, header, tensors * elementsEach * 2, (fd, size) => ftruncateSync(fd, size));
}

async function benchListing(dir: string, fileBytes: number, tensors: number, runs: number): Promise<FormatsBenchFigures['listing']> {
  const path = join(dir, 'big.safetensors');
  const size = writeSparseSafetensors(path, fileBytes, tensors);
  const times: number[] = [];
  let bytesRead = 0;
  let listed = 0;
  for (let run = 0; run < runs; run++) {
    const source = await openFileByteSource(path);
    const counted = { ...source, name: source.name, size: source.size, read: (o: number, n: number) => ((bytesRead += n), source.read(o, n)) };
    if (run > 0) bytesRead = 0;
    const t0 = performance.now();
    const file = await openTensorFile(counted);
    times.push(performance.now() - t0);
    listed = file.tensors.length;
    await source.close();
  }
  times.sort((a, b) => a - b);
  const tiny = join(dir, 'tiny.safetensors');
  writeSparseSafetensors(tiny, 200, 1);
  return {
    fileBytes: size,
    tensors: listed,
    bytesRead,
    medianMs: times[Math.floor(times.length / 2)],
    maxMs: times[times.length - 1],
    cliPeakRssMiB: runCli(dir, ['info', path, '--json']).peakRssMiB,
    cliPeakRssSmallFileMiB: runCli(dir, ['info', tiny, '--json']).peakRssMiB,
  };
}

/** A seeded generator (xorshift32) of standard normal values, by Box-Muller. */
function normals(seed: number): () => number {
  let s = seed >>> 0 || 1;
  const uniform = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary16 bits of a number, rounded to nearest even (finite inputs only, overflow to infinity). */
function toHalfBits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const e = ((b >>> 23) & 0xff) - 112;
  let m = b & 0x7fffff;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    m |= 0x800000;
    const shift = 14 - e;
    let h = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rest > half || (rest === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (m >>> 13);
  const rest = m & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++;
  return sign | h;
}

/** Writes a .safetensors of one F16 tensor of seeded normal values (std 0.05). */
function writeF16Safetensors(path: string, elements: number): number {
  const header = { 'layer.weight': { dtype: 'F16', shape: [elements], data_offsets: [0, elements * 2] } };
  return writeSafetensors(path, header, elements * 2, (fd) => {
    const next = normals(20250505);
    const block = new Uint16Array(1 << 20);
    for (let done = 0; done < elements; done += block.length) {
      const n = Math.min(block.length, elements - done);
      for (let i = 0; i < n; i++) block[i] = toHalfBits(next() * 0.05);
      writeSync(fd, new Uint8Array(block.buffer, 0, n * 2));
    }
  });
}

function benchQuantize(dir: string, elements: number): FormatsBenchFigures['quantize'] {
  const path = join(dir, 'f16.safetensors');
  const fileBytes = writeF16Safetensors(path, elements);
  const run = runCli(dir, ['quantize', path, '--range', 'minmax', '--bits', '8', '--json']);
  const report = JSON.parse(run.stdout) as { tensor: { count: number } };
  if (report.tensor.count !== elements) throw new Error(`quantize reported ${report.tensor.count} elements, expected ${elements}`);
  return { elements, fileBytes, seconds: run.seconds, elementsPerSecond: elements / run.seconds, cliPeakRssMiB: run.peakRssMiB };
}

/** Runs the built CLI with a preload that prints the process's peak RSS when it exits. */
function runCli(dir: string, args: string[]): { stdout: string; seconds: number; peakRssMiB: number } {
  const cli = [join(__dirname, 'cli.js'), join(__dirname, '..', 'dist', 'cli.js')].find((p) => existsSync(p));
  if (!cli) throw new Error('dist/cli.js is missing: run npm run build first.');
  const hook = join(dir, 'peak-rss.js');
  writeFileSync(hook, "process.on('exit', () => process.stderr.write(`\\npeakRssKiB ${process.resourceUsage().maxRSS}\\n`));\n");
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--require', hook, cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`clipwise ${args.join(' ')} failed: ${r.stderr}`);
  const m = /peakRssKiB (\d+)/.exec(r.stderr);
  return { stdout: r.stdout, seconds, peakRssMiB: m ? Number(m[1]) / 1024 : NaN };
}

if (process.argv[1]?.endsWith('formats.ts')) {
  const elements = Number(process.argv[2] ?? 1e8);
  void benchFormats({ elements }).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
