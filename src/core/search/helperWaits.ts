/** How long the main thread sleeps at most while it waits for the helper thread (ms): a cancel is seen within it. */
export const waitSliceMs = 20;

/**
 * With no progress from the helper for this long (ms), the main thread does what the helper claimed
 * itself: a helper that died holding a claim must not hang the search (a claim takes milliseconds).
 */
export const takeOverMs = 2000;
