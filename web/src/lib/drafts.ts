// Unsent work kept in this tab's sessionStorage beside the token: a session that ends while a focal point or the task
// force edits (the token revoked or expired) no longer loses the work; after signing in again the form has it back.
// A file import's CSV is kept as it is edited; a form's fields (a rejection reason, a declaration, a comment) when the
// page drops the form because the hub refused the token. A draft may hold unpublished figures or words meant for one
// country, so it comes back only to a caller of the same role and country (who may read what its writer could), is
// dropped when the caller signs out, and once it is written or restored.
import { useEffect, useRef, useState } from 'preact/hooks';
import { wasTokenRefused, type Viewer } from './session';

const PREFIX = 'migstat.draft.';

export interface Draft {
  csv: string;
  fileName: string | null;
}

/** One entry per scope and caller class, so that callers taking turns in a tab never see or drop each other's. */
const keyOf = (scope: string, who: Viewer) => `${PREFIX}${scope}.${who.role}.${who.country?.m49 ?? ''}`;

/** What is kept under `scope` for this caller, if anything. */
export function loadFields<T>(scope: string, who: Viewer): T | null {
  try {
    const raw = sessionStorage.getItem(keyOf(scope, who));
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null; // storage disabled or an unreadable entry: nothing kept
  }
}

/** Keeps `fields` under `scope` for this caller; null drops them. */
export function saveFields<T>(scope: string, who: Viewer, fields: T | null): void {
  try {
    if (fields === null) sessionStorage.removeItem(keyOf(scope, who));
    else sessionStorage.setItem(keyOf(scope, who), JSON.stringify(fields));
  } catch {
    // storage disabled or full: the fields live as long as the page
  }
}

/** The draft of `scope` ("submissions", "adoptions") kept for this caller, if any. */
export function loadDraft(scope: string, who: Viewer): Draft | null {
  return loadFields<Draft>(scope, who);
}

/** Keeps the draft of `scope` for this caller; an empty one (or null) drops it. */
export function saveDraft(scope: string, who: Viewer, draft: Draft | null): void {
  saveFields(scope, who, draft?.csv ? { csv: draft.csv, fileName: draft.fileName } : null);
}

/**
 * A form's fields kept across a refused token: `useKept` gives (once, then drops) what an earlier session left
 * under `scope` for this caller, and `useKeepOnRefusal` keeps the current fields when the form goes away because the
 * hub refused the token (the page re-renders signed out). Leaving the page or signing out keeps nothing. Without a
 * caller (`who` null) nothing is kept or given back.
 */
export function useKept<T>(scope: string, who: Viewer | null): T | null {
  const [kept] = useState(() => {
    const fields = who && loadFields<T>(scope, who);
    if (who && fields) saveFields(scope, who, null);
    return fields;
  });
  return kept;
}

export function useKeepOnRefusal<T>(scope: string, who: Viewer | null, fields: T | null): void {
  const latest = useRef(fields);
  latest.current = fields;
  useEffect(
    () => () => {
      if (who && wasTokenRefused() && latest.current !== null) saveFields(scope, who, latest.current);
    },
    [],
  );
}

/** Drops every draft of this tab (the caller signed out). */
export function clearDrafts(): void {
  try {
    for (const key of Object.keys(sessionStorage)) if (key.startsWith(PREFIX)) sessionStorage.removeItem(key);
  } catch {
    // nothing kept
  }
}
