// A file import's CSV that was not written yet, kept in this tab's sessionStorage beside the token: a session that
// ends while a focal point edits (the token revoked or expired) no longer loses the work; after signing in again the
// form has it back. A draft may hold unpublished figures, so it comes back only to a caller of the same role and
// country (who may read what its writer could), is dropped when the caller signs out, and once it is written.
import type { Viewer } from './session';

const PREFIX = 'migstat.draft.';

export interface Draft {
  csv: string;
  fileName: string | null;
}

/** One entry per scope and caller class, so that callers taking turns in a tab never see or drop each other's. */
const keyOf = (scope: string, who: Viewer) => `${PREFIX}${scope}.${who.role}.${who.country?.m49 ?? ''}`;

/** The draft of `scope` ("submissions", "adoptions") kept for this caller, if any. */
export function loadDraft(scope: string, who: Viewer): Draft | null {
  try {
    const raw = sessionStorage.getItem(keyOf(scope, who));
    return raw ? (JSON.parse(raw) as Draft) : null;
  } catch {
    return null; // storage disabled or an unreadable entry: no draft
  }
}

/** Keeps the draft of `scope` for this caller; an empty one (or null) drops it. */
export function saveDraft(scope: string, who: Viewer, draft: Draft | null): void {
  try {
    if (!draft?.csv) sessionStorage.removeItem(keyOf(scope, who));
    else sessionStorage.setItem(keyOf(scope, who), JSON.stringify({ csv: draft.csv, fileName: draft.fileName }));
  } catch {
    // storage disabled or full: the draft lives as long as the page
  }
}

/** Drops every draft of this tab (the caller signed out). */
export function clearDrafts(): void {
  try {
    for (const key of Object.keys(sessionStorage)) if (key.startsWith(PREFIX)) sessionStorage.removeItem(key);
  } catch {
    // nothing kept
  }
}
