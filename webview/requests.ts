/** What a request of the page asks for, to route its answer. */
export type RequestKind = 'quantize' | 'runSearch' | 'export';

/**
 * Numbers the page's requests and tells which answers still matter: a newer request of a kind
 * makes the older ones stale (the host aborts them; their late answers are dropped here).
 */
export class RequestIds {
  private last = 0;
  private readonly latest = new Map<RequestKind, number>();

  /** A fresh id, now the latest of its kind. */
  next(kind: RequestKind): number {
    this.last += 1;
    this.latest.set(kind, this.last);
    return this.last;
  }

  /** True when the page issued this id (answers to ids it never sent are ignored). */
  isIssued(id: number): boolean {
    return Number.isInteger(id) && id > 0 && id <= this.last;
  }

  /** The latest id of a kind, if one is outstanding. */
  latestOf(kind: RequestKind): number | undefined {
    return this.latest.get(kind);
  }

  /** True when `id` is the outstanding request of this kind. */
  isLatest(kind: RequestKind, id: number): boolean {
    return this.latest.get(kind) === id;
  }

  /** Forgets the outstanding request of a kind (answered or cancelled): later answers to it are stale. */
  settle(kind: RequestKind, id: number): void {
    if (this.latest.get(kind) === id) this.latest.delete(kind);
  }
}
