/** What the test reads from the page and does in it; installed as `globalThis.__clipwise`. */
export interface Probe {
  /** Every message the page posted to the "host", in order, as JSON (what VS Code would carry). */
  readonly posted: unknown[];
  /** The last state the page saved with setState. */
  state: unknown;
  setStateCalls: number;
  /** Every `securitypolicyviolation` event: directive and blocked URI. */
  readonly cspViolations: string[];
  /** Delivers a host message the way VS Code does: JSON-serialised, then a `message` event on window. */
  deliver(message: unknown): void;
  /** Pixels of a canvas that are not fully transparent. */
  inkedPixels(canvasId: string): number;
  /** A cheap fingerprint of a canvas's pixels, to tell that it redrew. */
  canvasHash(canvasId: string): number;
  /** The colours most used on a canvas (rgba strings), most first. */
  topColors(canvasId: string, count: number): string[];
  /** The id (or tag) of the focused element. */
  activeId(): string;
  /** The focused element's outline, and the theme's focus border colour as the browser resolves it. */
  focusStyle(): { outlineStyle: string; outlineWidth: string; outlineColor: string; focusBorder: string };
  /**
   * Delivers host messages one after another and times each until the page shows it: the element
   * `selector` has `data-value` equal to the message's `expect`, and the next frame has painted (ms each).
   */
  timeRenders(selector: string, steps: readonly { message: unknown; expect: string }[]): Promise<number[]>;
  /** Number of elements matching a selector. */
  count(selector: string): number;
}
