// The shell: navigation, the signed-in caller, and the pages (each loaded on first visit, so the first load carries
// only the shell and the page asked for).
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ErrorBoundary, lazy, LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { TokenRefusedNotice } from './components/controls';
import { PageTitle } from './components/page-title';
import { ApiError, request } from './lib/client';
import { APP_SCOPE } from './lib/params';
import {
  currentToken,
  isRestoring,
  isStaff,
  mayImport,
  restoreViewer,
  signOut,
  tokenRefused,
  useSession,
} from './lib/session';
import { ViewerQuery } from './lib/viewer';

/**
 * A page's code, loaded on its first visit. A load that fails (a dropped connection; a hub upgraded since the tab
 * opened, without the old files) is tried twice more, then the page says so and offers to try again. preact-iso's
 * lazy alone kept the failed load for good: the previous page stayed on screen under the new address (a first visit:
 * a blank page), with no word of why, until a reload.
 */
// Route components take whatever props the router passes (a page reads `params`).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function lazyPage(load: () => Promise<{ default: ComponentType<any> }>) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let page: ComponentType<any> | undefined;
  const attempt = (n: number): Promise<void> =>
    load().then(
      (m) => void (page = m.default),
      (e: unknown) =>
        n < 2 ? new Promise((r) => setTimeout(r, 500 * 2 ** n)).then(() => attempt(n + 1)) : Promise.reject(e),
    );
  // The failure just seen is shown as it is; the page opened again later (the link followed anew) tries again first.
  let shown = false;
  return lazy(() =>
    attempt(0).then(
      () => page!,
      () =>
        function PageNotLoaded(props: object) {
          const [busy, setBusy] = useState(shown);
          const [, loaded] = useState(0);
          const retry = () => {
            setBusy(true);
            attempt(2).then(
              () => loaded((n) => n + 1),
              () => setBusy(false),
            );
          };
          useEffect(() => {
            if (shown && !page) retry();
            shown = true;
          }, []);
          // Loaded since (by "Try again", or on a later visit): the page itself.
          if (page) {
            const Page = page;
            return <Page {...props} />;
          }
          return (
            <main id="main">
              <h1>Page not loaded</h1>
              {busy ? (
                <p class="status" role="status" aria-live="polite">
                  Loading the page…
                </p>
              ) : (
                <>
                  <p class="error" role="alert">
                    This page could not be loaded: the hub did not answer (the connection failed or dropped).
                  </p>
                  <p>
                    <button type="button" onClick={retry}>
                      Try again
                    </button>
                  </p>
                </>
              )}
            </main>
          );
        },
    ),
  );
}

const Coverage = lazyPage(() => import('./pages/coverage'));
const Gaps = lazyPage(() => import('./pages/gaps'));
const Countries = lazyPage(() => import('./pages/countries'));
const Country = lazyPage(() => import('./pages/country'));
const Indicators = lazyPage(() => import('./pages/indicators'));
const Indicator = lazyPage(() => import('./pages/indicator'));
const SignIn = lazyPage(() => import('./pages/sign-in'));
const Upload = lazyPage(() => import('./pages/upload'));
const Review = lazyPage(() => import('./pages/review'));
const Implementation = lazyPage(() => import('./pages/implementation'));
const DataAccess = lazyPage(() => import('./pages/data-access'));

function Nav() {
  const { path, url } = useLocation();
  const [, viewer] = useSession();
  const link = (to: string, label: string, match = (p: string) => p === to || p.startsWith(`${to}/`)) => (
    <li>
      <a href={to} aria-current={match(path) ? 'page' : undefined}>
        {label}
      </a>
    </li>
  );
  return (
    <header class="top">
      <a class="brand" href="/">
        Migration Statistics Hub
      </a>
      <nav aria-label="Main">
        <ul>
          {link('/coverage', 'Coverage', (p) => p === '/' || p.startsWith('/coverage'))}
          {link('/gaps', 'Gaps')}
          {link('/implementation', 'Implementation')}
          {link('/countries', 'Countries')}
          {link('/indicators', 'Indicators')}
          {link('/data', 'Data access')}
          {mayImport(viewer) && link('/upload', 'Upload')}
          {isStaff(viewer) && link('/review', 'Review')}
          <li>
            <a href="/graphql">GraphiQL</a>
          </li>
        </ul>
      </nav>
      <div class="who">
        {viewer ? (
          <>
            <span>
              <bdi>{viewer.name}</bdi> · {viewer.role.toLowerCase().replace('_', ' ')}
              {viewer.country ? ` · ${viewer.country.name}` : ''}
            </span>
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </>
        ) : isRestoring() ? (
          // A kept token is being checked (a reload on a slow hub): neither signed in nor out yet.
          <span role="status">Restoring session…</span>
        ) : (
          <a
            href={path === '/sign-in' ? url : `/sign-in?next=${encodeURIComponent(url)}`}
            aria-current={path === '/sign-in' ? 'page' : undefined}
          >
            Sign in
          </a>
        )}
      </div>
    </header>
  );
}

/** Why the caller was signed out when the hub refused the token, under the banner of whichever page that happened on
 *  (any request can find out), until the next sign-in or sign-out. */
function SessionNotice() {
  useSession();
  return (
    <div class="session-notice">
      <TokenRefusedNotice />
    </div>
  );
}

function NotFound() {
  return (
    <main id="main">
      <h1>Page not found</h1>
      <p>
        <a href="/">Go to the coverage page</a>
      </p>
    </main>
  );
}

export function App() {
  useEffect(() => {
    // A token kept from earlier in this browser session: find out who it belongs to. Only the hub's word that the
    // token is no longer valid signs the caller out; a busy or unreachable hub is asked again, so a slow answer after
    // a reload does not lose the session.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const restore = (attempt: number) => {
      const token = currentToken();
      if (!token) return;
      // An answer about a token that is no longer the tab's (the caller signed in with another meanwhile) is dropped:
      // applied late, it would pair the new token with the old token's viewer (another country's drafts and forms).
      request(ViewerQuery, {}).then(
        (d) => {
          if (currentToken() !== token) return;
          if (d.viewer) restoreViewer(d.viewer);
          else signOut();
        },
        (e: Error) => {
          if (currentToken() !== token) return;
          if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') tokenRefused();
          else timer = setTimeout(() => restore(attempt + 1), Math.min(500 * 2 ** attempt, 10_000));
        },
      );
    };
    restore(0);
    return () => clearTimeout(timer);
  }, []);
  return (
    <LocationProvider scope={APP_SCOPE}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Nav />
      <PageTitle />
      <SessionNotice />
      <ErrorBoundary>
        <Router>
          <Route path="/" component={Coverage} />
          <Route path="/coverage" component={Coverage} />
          <Route path="/gaps" component={Gaps} />
          <Route path="/implementation" component={Implementation} />
          <Route path="/countries" component={Countries} />
          <Route path="/countries/:code" component={Country} />
          <Route path="/indicators" component={Indicators} />
          <Route path="/indicators/:code" component={Indicator} />
          <Route path="/data" component={DataAccess} />
          <Route path="/upload" component={Upload} />
          <Route path="/review" component={Review} />
          <Route path="/sign-in" component={SignIn} />
          <Route default component={NotFound} />
        </Router>
      </ErrorBoundary>
    </LocationProvider>
  );
}
