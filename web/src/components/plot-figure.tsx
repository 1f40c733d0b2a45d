// Renders an Observable Plot chart (an SVG or figure element) into the page, replacing it when its inputs change.
// Plot (with d3, 85 KB gzipped: three quarters of a first visit's bytes) is loaded by the first chart drawn, not with
// the pages: a page's text and tables, and its GraphQL requests, do not wait for it on a slow link, and a page that
// draws no chart (a country without a population account) never loads it.
import { useEffect, useRef, useState } from 'preact/hooks';

type PlotModule = typeof import('../lib/plot');

let plot: Promise<PlotModule> | undefined;
const loadPlot = () =>
  (plot ??= import('../lib/plot').catch((e: unknown) => {
    plot = undefined; // tried again by the next chart
    throw e;
  }));

/** For a page that draws a chart once its data is in: Plot starts loading with the page's requests, not after. */
export function usePlotSoon() {
  useEffect(() => {
    loadPlot().catch(() => undefined); // the chart says so, and tries again
  }, []);
}

export function PlotFigure(props: {
  /** Builds the chart with Plot; called again whenever `deps` change. */
  render: (Plot: PlotModule) => Element;
  deps: unknown[];
  /** Called after the chart is in the document (e.g. to record a timing mark). */
  onRendered?: () => void;
  label: string;
  class?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const node = ref.current;
    if (!node) return;
    let chart: Element | undefined;
    let gone = false;
    loadPlot().then(
      (Plot) => {
        if (gone) return;
        chart = props.render(Plot);
        // Plot labels each mark's <g> (aria-label="bar"); ARIA allows a label there only with a role.
        for (const g of chart.querySelectorAll('g[aria-label]:not([role])')) g.setAttribute('role', 'group');
        node.replaceChildren(chart);
        props.onRendered?.();
      },
      () => !gone && setFailed(true),
    );
    return () => {
      gone = true;
      chart?.remove();
    };
    // The chart depends on `deps` only (the render function is a new closure on every render).
  }, [...props.deps, attempt]);
  return (
    <>
      <div ref={ref} role="figure" aria-label={props.label} class={props.class} />
      {failed && (
        <p class="error" role="alert">
          The chart could not be loaded: the hub did not answer.{' '}
          <button
            type="button"
            onClick={() => {
              setFailed(false);
              setAttempt((n) => n + 1);
            }}
          >
            Try again
          </button>
        </p>
      )}
    </>
  );
}
