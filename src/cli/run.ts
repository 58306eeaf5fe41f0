import { basename } from 'node:path';
import { UsageError } from '../core/errors';
import { encodeNpy } from '../core/formats/npyWriter';
import { openTensorFile } from '../core/formats/openTensorFile';
import type { TensorFile, WorkControl } from '../core/formats/tensorFile';
import { quantizeCodes } from '../core/quant/affineParams';
import { chooseParams } from '../core/quant/clipRange';
import { buildQuantizeReport, buildSearchReport, prepareSubject } from '../core/report/buildReports';
import { prepareSearchSubject } from '../core/report/searchSubject';
import { searchSorts } from '../core/search/bucketedMeasure';
import { parseGrid } from '../core/search/gridSpec';
import type { Tensor, TensorInfo } from '../core/tensor';
import { writeFileAtomic } from '../host/atomicWrite';
import { openFileByteSource } from '../host/fileByteSource';
import { helpedSubjectOptions, startSearchHelperFor, type SearchHelper } from '../host/searchHelper';
import type { CliArgs } from './args';
import type { CliOutput } from './descriptorOutput';
import { usage } from './args';
import { toJson } from './jsonOutput';
import { packageVersion } from './packageVersion';
import { progressBar } from './progressBar';
import { formatQuantizeAll, quantizeAllTensors, quantizeTensorReport } from './quantizeAll';
import { formatInfo, formatQuantizeReport, formatSearchReport } from './readable';

/** Where the CLI writes, and how it is stopped. */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly signal: { readonly aborted: boolean };
}

/** The tensor named by --tensor, or the only one; several without --tensor is a usage error. */
function chooseTensorName(file: TensorFile, fileName: string, wanted: string | undefined): string {
  const names = file.tensors.map((t) => t.name);
  if (wanted !== undefined) {
    if (!names.includes(wanted)) throw new UsageError(`${fileName} has no tensor '${wanted}'; it has ${names.map((n) => `'${n}'`).join(', ')}.`);
    return wanted;
  }
  if (names.length === 1) return names[0];
  throw new UsageError(`${fileName} holds ${names.length} tensors; choose one with --tensor (${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}).`);
}

/** Reads the chosen tensor whole. */
async function readChosenTensor(file: TensorFile, fileName: string, wanted: string | undefined, control: WorkControl): Promise<Tensor> {
  return file.read(chooseTensorName(file, fileName, wanted), control);
}

/** Runs one CLI command; user-facing failures are thrown as UsageError/TensorFormatError. */
export async function runCli(args: CliArgs, io: CliIo): Promise<void> {
  if (args.command === 'help') {
    io.stdout.write(usage);
    return;
  }
  if (args.command === 'version') {
    io.stdout.write(`clipwise ${packageVersion()}\n`);
    return;
  }
  const source = await openFileByteSource(args.file, { synchronous: true });
  let helper: SearchHelper | undefined;
  try {
    const fileName = basename(args.file);
    const limits = { maxTensorBytes: args.maxTensorBytes };
    const file = await openTensorFile(source, limits);
    if (args.command === 'info') {
      const listing = { file: fileName, format: file.format, tensors: file.tensors };
      io.stdout.write(args.json ? `${toJson(listing)}\n` : formatInfo(fileName, file.format, file.tensors));
      return;
    }
    const bar = args.json ? progressBar({ isTTY: false, write: () => undefined }, '') : progressBar(io.stderr, args.command);
    const control: WorkControl = { signal: io.signal, onProgress: (f) => bar.update(f) };
    const options = { bits: args.bits, range: args.range, percentile: args.percentile, clip: args.clip };
    if (args.command === 'quantize' && (args.all || args.out === undefined)) {
      const reportOptions = { outlierK: args.outlierK, histogramBins: 0 };
      if (args.all) {
        const entries = await quantizeAllTensors(file, options, reportOptions, limits, control);
        bar.done();
        io.stdout.write(args.json ? `${toJson(entries)}\n` : formatQuantizeAll(fileName, file.format, options, entries));
        return;
      }
      const report = await quantizeTensorReport(file, chooseTensorName(file, fileName, args.tensor), options, reportOptions, limits, control);
      bar.done();
      io.stdout.write(args.json ? `${toJson(report)}\n` : formatQuantizeReport(report));
      return;
    }
    if (args.command === 'search') {
      const name = chooseTensorName(file, fileName, args.tensor);
      const info = file.tensors.find((t) => t.name === name) as TensorInfo;
      const sorts = searchSorts(args.method, args.bits, args.grid, info.count);
      // With V8 compiling on the thread that runs the code (the launcher line), two threads on two cores
      // scale: measured here, the pass over the buckets of 10^7 values took 44-48 ms on two threads
      // against 80-95 on one.
      helper = startSearchHelperFor(info, { sorts });
      const search = { bits: args.bits, grid: parseGrid(args.grid), objective: args.objective, refine: args.refine, method: args.method };
      // A search needs only the sorted values: float32 tensors are streamed, never held in element order.
      const subject = await prepareSearchSubject(file, name, control, helpedSubjectOptions(helper, sorts));
      const report = await buildSearchReport(subject, search, { outlierK: args.outlierK }, control);
      // Let go now: the thread's teardown then overlaps the output rather than the process's exit.
      helper?.close();
      bar.done();
      io.stdout.write(args.json ? `${toJson(report)}\n` : formatSearchReport(report));
      return;
    }
    const tensor = await readChosenTensor(file, fileName, args.tensor, control);
    const subject = prepareSubject(tensor);
    const report = buildQuantizeReport(subject, options, { outlierK: args.outlierK, histogramBins: 0 });
    if (args.out !== undefined) {
      const params = chooseParams(subject.prepared, options);
      const codes = quantizeCodes(tensor.values, params);
      const bytes = args.bits <= 8 ? encodeNpy(Uint8Array.from(codes), tensor.shape, 'uint8') : encodeNpy(codes, tensor.shape, 'uint16');
      await writeFileAtomic(args.out, bytes, { protect: [args.file] });
    }
    bar.done();
    io.stdout.write(args.json ? `${toJson(report)}\n` : formatQuantizeReport(report));
    if (args.out !== undefined && !args.json) io.stdout.write(`codes written to ${args.out}\n`);
  } finally {
    helper?.close();
    await source.close();
  }
}
