// Jest testSequencer: the longest files start first, so that no long file starts last and keeps one worker busy
// while the other idles. Jest orders by the durations it recorded in its cache on an earlier run; a clean clone has
// none (Jest then orders by file size), so files without a recorded duration get the figure below, or DEFAULT_MS.
// The figures are each file's seconds in a whole PGlite run (2026-11-26, load average 10-12; the embargo walk had been
// left out and started last, alone, 819 s into a 1 214 s run), plus the waits a file cannot shorten (webhooks: a 15 s
// delivery lease); the browser files' from a run of test/web alone (2026-11-27). Only their order matters.
import Sequencer from '@jest/test-sequencer';
import { relative } from 'node:path';

const DEFAULT_MS = 5_000;
const MEASURED_MS = {
  'test/access/embargo.test.ts': 360_000,
  'test/cli/json-dry-run.test.ts': 170_000,
  'test/cli/token-commands.test.ts': 140_000,
  'test/cli/cli.test.ts': 135_000,
  'test/cli/export.test.ts': 125_000,
  'test/access/list-orders.test.ts': 53_000,
  'test/http/response-cache.test.ts': 48_000,
  'test/cli/help.test.ts': 47_000,
  'test/cli/migrate-kill.test.ts': 45_000,
  'test/coverage/accounting.test.ts': 39_000,
  'test/web/app.test.ts': 51_000,
  'test/web/implementation.test.ts': 68_000,
  'test/web/review-queue.test.ts': 17_000,
  'test/web/own-submissions.test.ts': 20_000,
  'test/web/data-access.test.ts': 15_000,
  'test/web/data-sources.test.ts': 14_000,
  'test/implementation/cli.test.ts': 33_000,
  'test/portals/webhooks.test.ts': 32_000,
  'test/portals/feed-property.test.ts': 30_000,
  'test/cli/data-dir-owner.test.ts': 26_000,
  'test/http/rate-limit.test.ts': 20_000,
};

export default class SlowFirst extends (Sequencer.default ?? Sequencer) {
  time(test) {
    const recorded = super.time(test);
    if (recorded !== undefined) return recorded;
    return MEASURED_MS[relative(test.context.config.rootDir, test.path)] ?? DEFAULT_MS;
  }
}
