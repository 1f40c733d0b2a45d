// Each page's title, and where the keyboard is after a move between pages (WCAG 2.4.2 page titled, 2.4.3 focus
// order). The app changes pages without a load, so the browser neither retitles the tab nor announces anything, and
// focus stayed on the link that was pressed, gone with the page it was on (it fell back to <body>).
import { useEffect, useRef } from 'preact/hooks';
import { useLocation } from 'preact-iso';

const APP_NAME = 'Migration Statistics Hub';
/** How long a page may take to show its heading (it loads its code, then maybe its data) before we stop waiting. */
const WAIT_MS = 10_000;

const heading = () => document.querySelector<HTMLElement>('main h1');

/**
 * Keeps document.title "<the page's h1> · Migration Statistics Hub" as headings render and change (a country's name
 * arrives with its data), and after a move to another page puts focus on the new page's heading, so that a screen
 * reader reads where the reader arrived and the next Tab starts in the page.
 */
export function PageTitle() {
  const { path } = useLocation();
  const first = useRef(true);
  // The heading on screen when a link was followed or history moved: a page already loaded renders before the
  // effect below runs, so the heading seen there may already be the new one.
  const before = useRef<{ el: HTMLElement | null; text: string | null | undefined } | null>(null);
  useEffect(() => {
    const record = () => {
      const el = heading();
      before.current = { el, text: el?.textContent };
    };
    document.addEventListener('click', record, true);
    window.addEventListener('popstate', record, true);
    return () => {
      document.removeEventListener('click', record, true);
      window.removeEventListener('popstate', record, true);
    };
  }, []);

  useEffect(() => {
    const retitle = () => {
      const text = heading()?.textContent?.trim();
      const title = text && text !== APP_NAME ? `${text} · ${APP_NAME}` : APP_NAME;
      if (document.title !== title) document.title = title;
    };
    retitle();
    const observer = new MutationObserver(retitle);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (first.current) {
      first.current = false; // a load: the browser has put focus at the start of the document already
      return;
    }
    // The old page stays on screen while the new one loads: wait for a heading that is not the old one. A page may
    // then replace its heading (loading, then loaded), which drops focus to <body>: the new heading gets it back,
    // unless the reader has moved it meanwhile.
    const old = before.current?.el ?? null;
    const oldText = before.current?.text;
    before.current = null;
    let focused: HTMLElement | null = null;
    const focus = () => {
      const h1 = heading();
      if (!h1 || h1 === focused || (h1 === old && h1.textContent === oldText)) return;
      const active = document.activeElement;
      if (focused && active && active !== document.body) return;
      h1.tabIndex = -1;
      h1.focus();
      focused = h1;
    };
    focus();
    const observer = new MutationObserver(focus);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    const timer = setTimeout(() => observer.disconnect(), WAIT_MS);
    return () => {
      observer.disconnect();
      clearTimeout(timer);
    };
  }, [path]);

  return null;
}
