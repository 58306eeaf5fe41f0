// Injected before the bundle (Jupyter's seam): a fake acquireVsCodeApi that records what the page
// posts and keeps its state, plus probes the test reads. Built by esbuild into an iife.
import type { Probe } from './probe';

declare global {
  // eslint-disable-next-line no-var
  var __clipwiseInitialState: unknown;
  // eslint-disable-next-line no-var
  var __clipwise: Probe;
}

const clone = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

function canvasPixels(canvasId: string): Uint8ClampedArray {
  const canvas = document.getElementById(canvasId);
  if (!(canvas instanceof HTMLCanvasElement)) throw new Error(`No canvas #${canvasId}.`);
  const ctx = canvas.getContext('2d');
  if (!ctx || canvas.width === 0 || canvas.height === 0) return new Uint8ClampedArray();
  return ctx.getImageData(0, 0, canvas.width, canvas.height).data;
}

let acquired = false;
const probe: Probe = {
  posted: [],
  state: clone(globalThis.__clipwiseInitialState),
  setStateCalls: 0,
  cspViolations: [],
  deliver(message) {
    window.postMessage(clone(message), '*');
  },
  inkedPixels(canvasId) {
    const px = canvasPixels(canvasId);
    let n = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) n++;
    return n;
  },
  canvasHash(canvasId) {
    const px = canvasPixels(canvasId);
    let hash = 2166136261;
    for (let i = 0; i < px.length; i += 7) hash = Math.imul(hash ^ (px[i] ?? 0), 16777619);
    return hash >>> 0;
  },
  topColors(canvasId, count) {
    const px = canvasPixels(canvasId);
    const tally = new Map<string, number>();
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] === 0) continue;
      const key = `rgba(${px[i]}, ${px[i + 1]}, ${px[i + 2]}, ${px[i + 3]})`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    return [...tally.entries()].sort((a, b) => b[1] - a[1]).slice(0, count).map(([k]) => k);
  },
  activeId() {
    const el = document.activeElement;
    return el ? el.id || el.tagName.toLowerCase() : '';
  },
  focusStyle() {
    const el = document.activeElement ?? document.body;
    const s = getComputedStyle(el);
    const probeEl = document.createElement('span');
    probeEl.className = 'focus-border-probe';
    document.body.append(probeEl);
    probeEl.style.color = 'var(--vscode-focusBorder)';
    const focusBorder = getComputedStyle(probeEl).color;
    probeEl.remove();
    return { outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth, outlineColor: s.outlineColor, focusBorder };
  },
  async timeRenders(selector, steps) {
    const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
    const times: number[] = [];
    for (const step of steps) {
      const t0 = performance.now();
      probe.deliver(step.message);
      while (document.querySelector(selector)?.getAttribute('data-value') !== step.expect) await frame();
      await frame();
      times.push(performance.now() - t0);
    }
    return times;
  },
  count(selector) {
    return document.querySelectorAll(selector).length;
  },
};
globalThis.__clipwise = probe;

document.addEventListener('securitypolicyviolation', (e) => {
  probe.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});

(globalThis as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => {
  if (acquired) throw new Error('acquireVsCodeApi may be called only once.');
  acquired = true;
  return Object.freeze({
    postMessage(message: unknown) {
      probe.posted.push(clone(message));
    },
    getState() {
      return clone(probe.state);
    },
    setState<T>(state: T): T {
      probe.state = clone(state);
      probe.setStateCalls++;
      return state;
    },
  });
};
