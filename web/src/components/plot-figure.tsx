// Renders an Observable Plot chart (an SVG or figure element) into the page, replacing it when its inputs change.
import { useEffect, useRef } from 'preact/hooks';

export function PlotFigure(props: {
  /** Builds the chart; called again whenever `deps` change. */
  render: () => Element;
  deps: unknown[];
  /** Called after the chart is in the document (e.g. to record a timing mark). */
  onRendered?: () => void;
  label: string;
  class?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const node = ref.current;
    if (!node) return;
    const chart = props.render();
    // Plot labels each mark's <g> (aria-label="bar"); ARIA allows a label there only with a role.
    for (const g of chart.querySelectorAll('g[aria-label]:not([role])')) g.setAttribute('role', 'group');
    node.replaceChildren(chart);
    props.onRendered?.();
    return () => chart.remove();
    // The chart depends on `deps` only (the render function is a new closure on every render).
  }, props.deps);
  return <div ref={ref} role="figure" aria-label={props.label} class={props.class} />;
}
