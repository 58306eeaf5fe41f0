import type { Chart, Plugin } from 'chart.js';

/** A vertical line at a data value on the x axis, with a short label. */
export interface VerticalMarker {
  readonly x: number;
  readonly color: string;
  readonly label?: string;
  readonly dash?: readonly number[];
  readonly width?: number;
}

/** What the markers plugin draws on one chart: lines, and a shade over the x ranges outside [from, to]. */
export interface MarkerSpec {
  readonly lines: readonly VerticalMarker[];
  readonly shadeOutside?: { readonly from: number; readonly to: number; readonly color: string };
  readonly font: string;
  readonly fontSize: number;
  /** Fill behind labels so they stay readable over bars. */
  readonly labelBackground: string;
}

const labelPadding = 3;

/**
 * A small annotation plugin (no remote library): draws the spec `read()` returns. One instance
 * per chart, given in the chart's `plugins` array, so no global registration or option schema.
 */
export function createMarkersPlugin(read: () => MarkerSpec | undefined): Plugin {
  return {
    id: 'clipwiseMarkers',
    beforeDatasetsDraw(chart: Chart) {
      const spec = read();
      const shade = spec?.shadeOutside;
      if (!shade) return;
      const { ctx, chartArea: area } = chart;
      const x = chart.scales.x;
      if (!x) return;
      const left = clamp(x.getPixelForValue(shade.from), area.left, area.right);
      const right = clamp(x.getPixelForValue(shade.to), area.left, area.right);
      ctx.save();
      ctx.fillStyle = shade.color;
      if (left > area.left) ctx.fillRect(area.left, area.top, left - area.left, area.bottom - area.top);
      if (right < area.right) ctx.fillRect(right, area.top, area.right - right, area.bottom - area.top);
      ctx.restore();
    },
    afterDatasetsDraw(chart: Chart) {
      const spec = read();
      if (!spec || spec.lines.length === 0) return;
      const { ctx, chartArea: area } = chart;
      const x = chart.scales.x;
      if (!x) return;
      ctx.save();
      ctx.font = `${spec.fontSize}px ${spec.font}`;
      ctx.textBaseline = 'top';
      spec.lines.forEach((m, i) => {
        const px = x.getPixelForValue(m.x);
        if (!Number.isFinite(px) || px < area.left - 0.5 || px > area.right + 0.5) return;
        ctx.strokeStyle = m.color;
        ctx.lineWidth = m.width ?? 2;
        ctx.setLineDash(m.dash ? [...m.dash] : []);
        ctx.beginPath();
        ctx.moveTo(px, area.top);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        if (!m.label) return;
        const textWidth = ctx.measureText(m.label).width;
        const onLeft = px + textWidth + 2 * labelPadding + 4 > area.right;
        const tx = onLeft ? px - 4 - textWidth - labelPadding : px + 4 + labelPadding;
        const ty = area.top + 4 + i * (spec.fontSize + 2 * labelPadding + 2);
        ctx.setLineDash([]);
        ctx.fillStyle = spec.labelBackground;
        ctx.fillRect(tx - labelPadding, ty - labelPadding, textWidth + 2 * labelPadding, spec.fontSize + 2 * labelPadding);
        ctx.fillStyle = m.color;
        ctx.fillText(m.label, tx, ty);
      });
      ctx.restore();
    },
  };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}
