// The signed-in caller. The token lives in sessionStorage only: it ends with the browser tab, never goes into a URL,
// and is never written to localStorage (issue 10). What the pages show follows the token's visibility, because
// every query carries it.
import { useEffect, useState } from 'preact/hooks';
import { clearDrafts } from './drafts';

const KEY = 'migstat.token';

export interface Viewer {
  name: string;
  role: string;
  country: { m49: string; iso3: string | null; name: string } | null;
}

let token: string | null = read();
let viewer: Viewer | null = null;
/** Why the last session ended without the caller signing out: the hub refused its token. */
let refused = false;
const listeners = new Set<() => void>();

function read(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: the token then lives in memory for this page only
  }
}

/** Whether the caller may import files (submissions, adoptions); the API decides which rows (a focal point: its own
 *  country's). */
export function mayImport(who: Viewer | null): who is Viewer {
  return !!who && ['FOCAL_POINT', 'TASK_FORCE', 'ADMIN'].includes(who.role);
}

export function currentToken(): string | null {
  return token;
}

export function currentViewer(): Viewer | null {
  return viewer;
}

export function signIn(newToken: string, who: Viewer): void {
  refused = false;
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
  refused = true;
  notify();
}

function endSession() {
  refused = false;
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
  const rendered = [token, viewer] as const;
  useEffect(() => {
    const l = () => force((n) => n + 1);
    listeners.add(l);
    // The session may have changed between this render and the subscription: a page loaded lazily after a reload
    // renders signed out, and the viewer is restored before its effect runs. Without this check it missed that
    // change and stayed signed out (the upload test's flake: "Sign in…" under a banner showing the caller).
    if (rendered[0] !== token || rendered[1] !== viewer) l();
    return () => void listeners.delete(l);
  }, []);
  return [token, viewer];
}
