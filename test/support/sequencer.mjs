// Jest testSequencer: the longest files start first, so that no long file starts last and keeps one worker busy
// while the other idles. Jest orders by the durations it recorded in its cache on an earlier run; a clean clone has
// none (Jest then orders by file size), so files without a recorded duration get the figure below, or DEFAULT_MS.
// The figures are CPU seconds of each file run alone on PGlite (2026-11-26, load average 25-30), plus the waits a file
// cannot shorten (webhooks: a 15 s delivery lease); only their order matters.
import Sequencer from '@jest/test-sequencer';
import { relative } from 'node:path';

const DEFAULT_MS = 5_000;
const MEASURED_MS = {
  'test/cli/migrate-kill.test.ts': 45_000,
  'test/portals/webhooks.test.ts': 32_000,
  'test/portals/feed-property.test.ts': 30_000,
  'test/web/app.test.ts': 28_000,
  'test/cli/data-dir-owner.test.ts': 22_000,
  'test/http/rate-limit.test.ts': 20_000,
};

export default class SlowFirst extends (Sequencer.default ?? Sequencer) {
  time(test) {
    const recorded = super.time(test);
    if (recorded !== undefined) return recorded;
    return MEASURED_MS[relative(test.context.config.rootDir, test.path)] ?? DEFAULT_MS;
  }
}
