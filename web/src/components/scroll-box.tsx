// A table wider than the screen (a phone's 375 px) scrolls sideways in its own box, not the page. While its content is
// wider than the box, the box is a named region in the tab order, so a keyboard can scroll it (WCAG 2.1.1, axe's
// scrollable-region-focusable) and a screen reader says what scrolls; when everything fits it is a plain box, not one
// more tab stop.
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

export function ScrollBox(props: { label: string; children: ComponentChildren }) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrolls, setScrolls] = useState(false);
  useLayoutEffect(() => {
    const box = ref.current;
    if (!box) return;
    const check = () => setScrolls(box.scrollWidth > box.clientWidth + 1);
    check();
    // The box resizes with the window; its content with what it shows (rows loaded, a thread opened).
    const observer = new ResizeObserver(check);
    observer.observe(box);
    for (const child of box.children) observer.observe(child);
    return () => observer.disconnect();
  }, []);
  return (
    <div
      ref={ref}
      class="table-scroll"
      {...(scrolls ? { tabIndex: 0, role: 'region', 'aria-label': `${props.label} (scrolls sideways)` } : {})}
    >
      {props.children}
    </div>
  );
}
