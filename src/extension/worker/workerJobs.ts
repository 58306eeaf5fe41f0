import { CancelledError } from '../../core/errors';
import { encodeNpy } from '../../core/formats/npyWriter';
import type { WorkControl } from '../../core/formats/tensorFile';
import { quantizeCodes } from '../../core/quant/affineParams';
import { chooseParams, type QuantizeOptions } from '../../core/quant/clipRange';
import { buildQuantizeReport, buildSearchReport, type SearchSubject } from '../../core/report/buildReports';
import { parseGrid, type GridRequest } from '../../core/search/gridSpec';
import { sortedIndexOf } from '../../core/search/sortedIndex';
import type { RpcHandlers, RpcJobControl } from '../../protocol/rpc';
import type { QuantizeResult, WorkerMethods } from '../../protocol/worker';
import { analyzeJsonText, inspectJsonElement, type AnalyzedJson } from './jsonAnalysis';
import { TensorCache } from './tensorCache';

/** JSON documents whose last analysis is kept for hovers. */
export const maxRememberedJsonDocuments = 8;

/** Share of a search's progress given to reading the tensor when it is not prepared yet. */
const readShare = 0.2;
/** Progress at which a search's sorted index is built (sorting is most of a search's work then). */
const indexShare = 0.8;

/** The min-max baseline every report is shown beside (no histograms: the page draws the report's). */
function baselineOf(subject: SearchSubject, bits: number): ReturnType<typeof buildQuantizeReport> {
  return buildQuantizeReport(subject, { bits, range: 'minmax', percentile: 100 }, { histogramBins: 0 });
}

/**
 * The report and its baseline, from the tensor's sorted index (built on the first report, then kept with
 * the tensor): each of a panel's recomputes then takes milliseconds where two passes over a 10^7-element
 * tensor took 600-700 ms here.
 */
function quantizeResult(subject: SearchSubject, options: QuantizeOptions, control: WorkControl = {}): QuantizeResult {
  sortedIndexOf(subject.prepared, control);
  return { report: buildQuantizeReport(subject, options), baseline: baselineOf(subject, options.bits) };
}

/** Progress of one phase mapped into [from, to] of the whole job. */
function phase(control: RpcJobControl, from: number, to: number): WorkControl {
  return { signal: control.signal, onProgress: (f) => control.onProgress(from + (to - from) * f) };
}

/** The worker's handlers; a separate function so that tests can run them without a thread. */
export function createWorkerHandlers(cache = new TensorCache()): RpcHandlers<WorkerMethods> {
  const jsonDocuments = new Map<string, { version: number; analyzed: AnalyzedJson }>();

  return {
    list: ({ file, limits }) => cache.list(file, limits),

    quantize: async ({ file, tensor, options, limits }, control) => {
      const subject = await cache.subject(file, tensor, limits, phase(control, 0, readShare));
      if (control.signal.aborted) throw new CancelledError();
      return quantizeResult(subject, options, phase(control, readShare, 1));
    },

    search: async ({ file, tensor, bits, grid, objective, limits }, control) => {
      const request = parseGrid(grid);
      const subject = await cache.subject(file, tensor, limits, phase(control, 0, readShare));
      const searches = await cache.searches(file, tensor, limits);
      const key = `${bits}\0${gridKey(request)}\0${objective}`;
      let search = searches.get(key);
      if (search === undefined) {
        // The reports that follow need the sorted index anyway; with it, each candidate of the grid costs
        // a few binary searches over block sums rather than a share of a pass over the tensor's buckets.
        sortedIndexOf(subject.prepared, phase(control, readShare, indexShare));
        search = await buildSearchReport(subject, { bits, grid: request, objective }, {}, phase(control, indexShare, 1));
        searches.set(key, search);
      }
      const best = search.best.percentile;
      const options: QuantizeOptions = best === null ? { bits, range: 'minmax', percentile: 100 } : { bits, range: 'percentile', percentile: best };
      control.onProgress(1);
      return { search, ...quantizeResult(subject, options) };
    },

    encodeCodes: async ({ file, tensor, options, limits }, control) => {
      const subject = await cache.subject(file, tensor, limits, phase(control, 0, readShare));
      const params = chooseParams(subject.prepared, options);
      const elements = await cache.elements(file, tensor, limits, phase(control, readShare, 1));
      const codes = quantizeCodes(elements.values, params);
      const shape = elements.shape;
      const dtype = options.bits <= 8 ? 'uint8' : 'uint16';
      const bytes = dtype === 'uint8' ? encodeNpy(Uint8Array.from(codes), shape, 'uint8') : encodeNpy(codes, shape, 'uint16');
      const own = ownBuffer(bytes);
      control.transfer(own.buffer as ArrayBuffer);
      return { bytes: own, dtype, shape };
    },

    analyzeJson: ({ key, version, text, fileName, options, diagnostics, limits }, control) => {
      const analyzed = analyzeJsonText(text, fileName, options, diagnostics, limits, control.signal);
      jsonDocuments.delete(key);
      jsonDocuments.set(key, { version, analyzed });
      while (jsonDocuments.size > maxRememberedJsonDocuments) jsonDocuments.delete(jsonDocuments.keys().next().value as string);
      return { version, ...analyzed.analysis };
    },

    inspectJsonElement: ({ key, version, offset }) => {
      const remembered = jsonDocuments.get(key);
      if (remembered === undefined || remembered.version !== version) return null;
      return inspectJsonElement(remembered.analyzed, offset);
    },

    forgetJson: ({ key }) => {
      jsonDocuments.delete(key);
    },
  };
}

/** A grid request as a cache key: '99:100:0.01' and ' 99 : 100 : 0.010 ' are one search. */
function gridKey(request: GridRequest): string {
  return request.kind === 'nines' ? 'nines' : `${request.spec.from}:${request.spec.to}:${request.spec.step}`;
}

/** The bytes in a buffer of their own, so that moving the buffer moves nothing else. */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  const isWhole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return isWhole && bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
}
