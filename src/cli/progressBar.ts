import type { CliOutput } from './descriptorOutput';

/** A one-line progress bar on a terminal's stderr; silent when stderr is not a terminal. */
export function progressBar(stream: CliOutput, label: string): { update(fraction: number): void; done(): void } {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  const width = 30;
  let last = -1;
  return {
    update(fraction) {
      const pct = Math.floor(Math.max(0, Math.min(1, fraction)) * 100);
      if (pct === last) return;
      last = pct;
      const filled = Math.round((pct / 100) * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(pct).padStart(3)}%`);
    },
    done() {
      if (last >= 0) stream.write(`\r${' '.repeat(label.length + width + 8)}\r`);
    },
  };
}
