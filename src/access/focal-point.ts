// What a FOCAL_POINT may put in an import (CONTRACT §7: "create and submit that country's data only"), for every
// importer of country data: its own country's rows (submissions, population accounts, adoption declarations), and no
// status past SUBMITTED (submissions, population accounts), since validating and publishing are the task force's.
import type { Viewer } from '../platform/context.js';

/** The country an import by this caller is bound to: a FOCAL_POINT's own; null (any country) for anyone else. */
export function importCountryOf(viewer: Viewer | null | undefined): number | null {
  return viewer?.role === 'FOCAL_POINT' ? viewer.countryId : null;
}

/** Why a row of `country` may not be imported by a caller bound to `focal`; null when it may. */
export function foreignCountryProblem(focal: number | null, country: { id: number; label: string }): string | null {
  return focal !== null && country.id !== focal
    ? `a focal point may only import rows of its own country, not ${country.label}`
    : null;
}

/** Why a caller bound to `focal` may not give a row this status; null when it may. */
export function reviewedStatusProblem(focal: number | null, status: string): string | null {
  return focal !== null && (status === 'VALIDATED' || status === 'PUBLISHED')
    ? `a focal point may not import a status beyond SUBMITTED (got ${status}); for a file downloaded from the hub, ` +
        'set the status column to SUBMITTED or DRAFT, or remove it'
    : null;
}
