// The signed-in caller. The token lives in sessionStorage only: it ends with the browser tab, never goes into a URL,
// and is never written to localStorage (issue 10). What the pages show follows the token's visibility, because
// every query carries it.
import { useLayoutEffect, useState } from 'preact/hooks';
import { clearDrafts } from './drafts';

const KEY = 'migstat.token';
/** Set while the session that ended was ended by the hub (tokenRefused), so that a reload still says why. */
const REFUSED_KEY = 'migstat.tokenRefused';

export interface Viewer {
  name: string;
  role: string;
  country: { m49: string; iso3: string | null; name: string } | null;
}

let token: string | null = read();
let viewer: Viewer | null = null;
/** Why the last session ended without the caller signing out: the hub refused its token (kept across reloads). */
let refused = readRefused();
const listeners = new Set<() => void>();

function read(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: the token then lives in memory for this page only
  }
}

function readRefused(): boolean {
  try {
    return sessionStorage.getItem(REFUSED_KEY) === '1';
  } catch {
    return false;
  }
}

function keepRefused(value: boolean) {
  refused = value;
  try {
    if (value) sessionStorage.setItem(REFUSED_KEY, '1');
    else sessionStorage.removeItem(REFUSED_KEY);
  } catch {
    // memory only
  }
}

/** Whether the caller may import files (submissions, adoptions); the API decides which rows (a focal point: its own
 *  country's). */
export function mayImport(who: Viewer | null): who is Viewer {
  return !!who && ['FOCAL_POINT', 'TASK_FORCE', 'ADMIN'].includes(who.role);
}

/** The task force and ADMIN: they review, publish, and act for any country. */
export function isStaff(who: Viewer | null): boolean {
  return who?.role === 'TASK_FORCE' || who?.role === 'ADMIN';
}

export function currentToken(): string | null {
  return token;
}

export function currentViewer(): Viewer | null {
  return viewer;
}

export function signIn(newToken: string, who: Viewer): void {
  keepRefused(false);
  token = newToken;
  viewer = who;
  try {
    sessionStorage.setItem(KEY, newToken);
  } catch {
    // memory only
  }
  notify();
}

/** The caller signs out: the session ends, and so do the drafts it left (lib/drafts.ts). */
export function signOut(): void {
  endSession();
  clearDrafts();
  notify();
}

/** The hub answered that the token is no longer valid (revoked or expired): signed out, and the pages say why. The
 *  caller's drafts stay, for when they sign in again. */
export function tokenRefused(): void {
  endSession();
  keepRefused(true);
  notify();
}

function endSession() {
  keepRefused(false);
  token = null;
  viewer = null;
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // memory only
  }
}

/** Whether the session ended because the hub refused the token (until the next sign-in or sign-out). */
export function wasTokenRefused(): boolean {
  return refused;
}

/** Whether a token kept from earlier in this browser session is still being checked (after a reload): the caller is
 *  neither signed in nor signed out yet, and pages say so rather than offering to sign in. */
export function isRestoring(): boolean {
  return token !== null && viewer === null;
}

/** Restores the viewer for a token kept from earlier in this browser session. */
export function restoreViewer(who: Viewer | null): void {
  viewer = who;
  notify();
}

function notify() {
  for (const l of listeners) l();
}

/** Re-renders the caller when the session changes; returns [token, viewer]. */
export function useSession(): [string | null, Viewer | null] {
  const [, force] = useState(0);
  const rendered = [token, viewer, refused] as const;
  // Subscribed in a layout effect, right after the render is committed, and checked against what was rendered: the
  // session may change in between (a page loaded lazily after a reload renders signed out and the viewer is restored,
  // or the hub refuses the token, before a later effect would run), and a missed change left the page as it was:
  // signed out under a banner showing the caller, or no word of why the caller was signed out.
  useLayoutEffect(() => {
    const l = () => force((n) => n + 1);
    listeners.add(l);
    if (rendered[0] !== token || rendered[1] !== viewer || rendered[2] !== refused) l();
    return () => void listeners.delete(l);
  }, []);
  return [token, viewer];
}
