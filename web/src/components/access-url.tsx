// One portal URL shown twice: as a link to follow, and as labelled read-only text to copy into another tool.
import { useEffect, useId, useRef, useState } from 'preact/hooks';

export function AccessUrl(props: { label: string; url: string; linkText: string; kind: string }) {
  const id = useId();
  const text = useRef<HTMLTextAreaElement>(null);
  const [message, setMessage] = useState('');
  // "Copied" speaks of the URL as it was: a changed selection makes a new one.
  useEffect(() => setMessage(''), [props.url]);

  async function copy() {
    // Selected first, so that the visitor sees what is copied, and can copy it by hand where the browser keeps the
    // clipboard from the page (it does on plain-HTTP origins other than localhost).
    text.current?.select();
    try {
      await navigator.clipboard.writeText(props.url);
      setMessage('Copied.');
    } catch {
      setMessage('Selected: press Ctrl+C (⌘C) to copy.');
    }
  }

  return (
    <div class="field" data-testid="access-url" data-kind={props.kind}>
      <label for={id}>{props.label}</label>
      <textarea id={id} ref={text} readOnly rows={2} spellcheck={false} value={props.url} />
      <p class="toolbar">
        <a href={props.url}>{props.linkText}</a>
        <button type="button" class="secondary" onClick={copy}>
          Copy<span class="visually-hidden"> {props.label}</span>
        </button>
        <span role="status">{message}</span>
      </p>
    </div>
  );
}
