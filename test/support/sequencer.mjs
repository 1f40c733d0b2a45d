// Jest testSequencer: the longest files start first, so that no long file starts last and keeps one worker busy
// while the other idles. Jest orders by the durations it recorded in its cache on an earlier run; a clean clone has
// none (Jest then orders by file size), so files without a recorded duration get the figure below, measured on
// PGlite one file at a time (README, "How the test loop stays short"), or DEFAULT_MS.
import Sequencer from '@jest/test-sequencer';
import { relative } from 'node:path';

const DEFAULT_MS = 5_000;
const MEASURED_MS = {
  'test/cli/migrate-kill.test.ts': 60_000,
};

export default class SlowFirst extends (Sequencer.default ?? Sequencer) {
  time(test) {
    const recorded = super.time(test);
    if (recorded !== undefined) return recorded;
    return MEASURED_MS[relative(test.context.config.rootDir, test.path)] ?? DEFAULT_MS;
  }
}
