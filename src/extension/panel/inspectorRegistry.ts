import type { QuantizeReport, SearchReport } from '../../core/report/reportTypes';
import type { PanelSettings, ToWebview } from '../../protocol/webview';

/** What one open inspector page was last sent: the extension's API hands it to the VS Code test suites. */
export interface InspectorSnapshot {
  readonly kind: 'panel' | 'editor';
  /** The tensor file, as uri.toString(). */
  readonly fileUri: string;
  /** The controls as the page last set them. */
  readonly settings?: PanelSettings;
  /** The report last posted to the page (`show`, `quantized` or `searchResult`). */
  readonly report?: QuantizeReport;
  /** The grid search last posted to the page. */
  readonly search?: SearchReport;
  /** The last `failed` without a requestId: the page as a whole could not load. */
  readonly failed?: string;
}

/** A snapshot that follows the messages posted to its page. */
export class InspectorRecord {
  private state: InspectorSnapshot;

  constructor(kind: InspectorSnapshot['kind'], fileUri: string) {
    this.state = { kind, fileUri };
  }

  get snapshot(): InspectorSnapshot {
    return this.state;
  }

  /** Updates the snapshot from a message the host posts to the page. */
  posted(message: ToWebview): void {
    const s = this.state;
    switch (message.type) {
      case 'show':
        this.state = { kind: s.kind, fileUri: s.fileUri, settings: message.settings, report: message.report, ...(message.search ? { search: message.search } : {}) };
        break;
      case 'quantized':
        this.state = { ...s, settings: message.settings, report: message.report, ...(message.search ? { search: message.search } : {}) };
        break;
      case 'searchResult':
        this.state = { ...s, settings: message.settings, report: message.report, search: message.search };
        break;
      case 'failed':
        if (message.requestId === undefined) this.state = { ...s, failed: message.message };
        break;
      case 'progress':
      case 'exported':
        break;
    }
  }
}

/** The open inspectors, oldest first. */
export class InspectorRegistry {
  private readonly records = new Set<InspectorRecord>();

  /** Registers a page; the returned function unregisters it. */
  add(record: InspectorRecord): () => void {
    this.records.add(record);
    return () => this.records.delete(record);
  }

  /** Every open inspector's snapshot, oldest first. */
  snapshots(): InspectorSnapshot[] {
    return [...this.records].map((r) => r.snapshot);
  }
}
