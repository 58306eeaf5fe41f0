import { shownNotices, type Notice } from './notify';
import type { InspectorSnapshot } from './panel/inspectorRegistry';
import type { Services } from './services';

/**
 * What activate() returns (the extension's exports): a read-only view of what the user sees, for the
 * suites that run inside VS Code (test/extension/suite/testApi.ts states the same contract).
 */
export interface ClipwiseApi {
  /** Every open inspector (panel or .npy editor), oldest first. */
  inspectors(): readonly InspectorSnapshot[];
  /** Every notification shown since activation, oldest first. */
  notifications(): readonly Notice[];
}

/** The extension's exports. */
export function createApi(services: Services): ClipwiseApi {
  return {
    inspectors: () => services.inspectors.snapshots(),
    notifications: () => shownNotices(),
  };
}
