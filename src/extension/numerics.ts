import type * as vscode from 'vscode';
import type { QuantizeOptions } from '../core/quant/clipRange';
import type { Objective } from '../core/quant/metrics';
import type { ListResult, QuantizeResult, SearchResult } from '../protocol/worker';
import type { PanelSettings } from '../protocol/webview';
import { quantizeOptionsOf, type ClipwiseSettings } from './config/settings';
import { workerFileRef } from './fileAccess';
import type { WorkerClient } from './workerClient';

/** How a long job is watched and stopped. */
export interface JobControl {
  readonly signal?: AbortSignal;
  readonly onProgress?: (fraction: number) => void;
}

/** A grid search's parameters. */
export interface SearchParams {
  readonly bits: number;
  readonly grid: string;
  readonly objective: Objective;
}

/** What a panel's controls resolve to: the quantization, and the search it came from for "best of grid". */
export interface Resolved {
  readonly result: QuantizeResult;
  readonly search?: SearchResult;
}

/** The numerics on files, run in the worker: the host only waits. */
export class Numerics {
  constructor(
    private readonly worker: WorkerClient,
    private readonly settings: () => ClipwiseSettings,
  ) {}

  private limits(): { maxTensorBytes: number } {
    return { maxTensorBytes: this.settings().maxTensorBytes };
  }

  /** The file's tensors. */
  async list(uri: vscode.Uri, control: JobControl = {}): Promise<ListResult> {
    const limits = this.limits();
    return this.worker.call('list', { file: await workerFileRef(uri, limits.maxTensorBytes), limits }, control);
  }

  /** One quantization of one tensor and its min-max baseline. */
  async quantize(uri: vscode.Uri, tensor: string, options: QuantizeOptions, control: JobControl = {}): Promise<QuantizeResult> {
    const limits = this.limits();
    return this.worker.call('quantize', { file: await workerFileRef(uri, limits.maxTensorBytes), tensor, options, limits }, control);
  }

  /** The grid search on one tensor, with the report at its best percentile. */
  async search(uri: vscode.Uri, tensor: string, params: SearchParams, control: JobControl = {}): Promise<SearchResult> {
    const limits = this.limits();
    return this.worker.call('search', { file: await workerFileRef(uri, limits.maxTensorBytes), tensor, ...params, limits }, control);
  }

  /** What a panel's controls show: "best of grid" runs (or reuses, the worker remembers) the search first. */
  async resolve(uri: vscode.Uri, settings: PanelSettings, control: JobControl = {}): Promise<Resolved> {
    if (settings.range === 'bestOfGrid') {
      const search = await this.search(uri, settings.tensor, settings, control);
      return { result: { report: search.report, baseline: search.baseline }, search };
    }
    return { result: await this.quantize(uri, settings.tensor, quantizeOptionsOf(settings), control) };
  }

  /** The tensor's codes as .npy bytes. */
  async encodeCodes(uri: vscode.Uri, tensor: string, options: QuantizeOptions, control: JobControl = {}) {
    const limits = this.limits();
    return this.worker.call('encodeCodes', { file: await workerFileRef(uri, limits.maxTensorBytes), tensor, options, limits }, control);
  }
}
