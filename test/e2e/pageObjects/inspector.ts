/** The inspector page (the "Quantize Tensor" panel and the .npy editor) as the workbench shows it. */
import type { FrameLocator, Locator } from 'playwright-core';

/** The rows of the results table that carry an exact figure (data-value). */
export type FigureRow = 'scale' | 'zeroPoint' | 'mse' | 'mae' | 'maxAbsError' | 'sqnrDb' | 'clippedCount' | 'mseInliers';

/** The four charts. */
export const chartIds = ['chart-values', 'chart-codes', 'chart-curve', 'chart-errors'] as const;

/** The little of HTMLCanvasElement the pixel count uses (this project's Node code has no DOM types). */
interface CanvasLike {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}

export class Inspector {
  constructor(readonly frame: FrameLocator) {}

  /** The current figure of a row, as a locator. */
  cell(row: FigureRow, column: 'current' | 'baseline' = 'current'): Locator {
    return this.frame.locator(`#results-table [data-row="${row}"] .${column}`);
  }

  /** The exact value behind a shown figure. */
  async figure(row: FigureRow, column: 'current' | 'baseline' = 'current'): Promise<string | null> {
    return this.cell(row, column).getAttribute('data-value', { timeout: 30_000 });
  }

  /** Waits until a row's exact figure is `value` (String(number), as the page writes it). */
  async waitForFigure(row: FigureRow, value: number, timeoutMs = 30_000): Promise<void> {
    await this.frame.locator(`#results-table [data-row="${row}"] .current[data-value="${String(value)}"]`).waitFor({ timeout: timeoutMs });
  }

  /** The results once the first report is drawn. */
  async ready(timeoutMs = 60_000): Promise<void> {
    await this.frame.locator('#results-table [data-row="scale"] .current[data-value]').waitFor({ timeout: timeoutMs });
  }

  /** The file name in the header. */
  fileName(): Locator {
    return this.frame.locator('#file-name');
  }

  /** Chooses the number of bits. */
  async setBits(bits: number): Promise<void> {
    await this.frame.locator('#bits').selectOption(String(bits));
  }

  /** Chooses the clipping range: 'minmax', 'percentile' or 'bestOfGrid'. */
  async setRange(range: string): Promise<void> {
    await this.frame.locator('#range').selectOption(range);
  }

  /** Types a percentile into its number box and commits it. */
  async setPercentile(p: number): Promise<void> {
    const box = this.frame.locator('#percentile');
    await box.fill(String(p));
    await box.press('Enter');
  }

  /** Types a grid and starts the search from the panel. */
  async runSearch(grid: string): Promise<void> {
    const box = this.frame.locator('#grid');
    await box.fill(grid);
    await box.press('Tab');
    await this.frame.locator('#run-search').click();
  }

  /** The curve chart's note: "N candidates: best P = …". */
  curveNote(): Locator {
    return this.frame.locator('#chart-curve .chart-note');
  }

  /** The error banner's text (a request or the whole page failed). */
  errorText(): Locator {
    return this.frame.locator('#error-text');
  }

  /** Pixels of a chart's canvas that are not fully transparent: more than a few thousand means it drew. */
  async inkedPixels(chartId: string): Promise<number> {
    return this.frame.locator(`#${chartId}-canvas`).evaluate((canvas: CanvasLike) => {
      const ctx = canvas.getContext('2d');
      if (!ctx || canvas.width === 0 || canvas.height === 0) return 0;
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
      return n;
    });
  }
}
