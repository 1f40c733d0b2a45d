// Labelled form controls shared by the pages. Each is a native element (keyboard and screen-reader behaviour for
// free) with a visible label.
import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { useEffect, useId, useState } from 'preact/hooks';
import { isTransient } from '../lib/client';
import { useRegions } from '../lib/regions';
import { isRestoring, wasTokenRefused } from '../lib/session';

/**
 * A link to where something comes from, when it is an http(s) URL; otherwise (a citation in words, or anything a
 * script could hide in) the text itself. Stored sources and evidence links come from imports and other clients.
 */
export function SourceLink(props: { href: string; children?: ComponentChildren }) {
  if (!/^https?:\/\//i.test(props.href)) return <>{props.children ?? props.href}</>;
  return (
    <a href={props.href} rel="noopener noreferrer">
      {props.children ?? props.href}
    </a>
  );
}

export function Field(props: { label: string; children: (id: string) => ComponentChildren; hint?: string }) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.children(id)}
      {props.hint && <small>{props.hint}</small>}
    </div>
  );
}

export function Select(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
  name?: string;
}) {
  return (
    <Field label={props.label}>
      {(id) => (
        <select
          id={id}
          name={props.name}
          value={props.value}
          onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}
        >
          {props.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/**
 * The value and input handler of a text field that commits on change (Enter or leaving the field): what is typed is
 * the field's own until then, and follows `committed` when that changes. Bound to the committed value alone, a
 * re-render in between (a page's data arriving) wrote it back over the typing, since Preact restores a controlled
 * input's value on every render.
 */
export function useTyped(committed: string) {
  const [value, setValue] = useState(committed);
  useEffect(() => setValue(committed), [committed]);
  return { value, onInput: (e: Event) => setValue((e.currentTarget as HTMLInputElement).value) };
}

export function YearInput(props: {
  label: string;
  value: number | undefined;
  onChange: (v: number | undefined) => void;
  name?: string;
  /** The id of a message saying what is wrong with the value; the field is then marked invalid. */
  errorId?: string;
}) {
  const typed = useTyped(props.value === undefined ? '' : String(props.value));
  return (
    <Field label={props.label}>
      {(id) => (
        <input
          id={id}
          name={props.name}
          type="number"
          inputMode="numeric"
          min={1900}
          max={2100}
          step={1}
          aria-invalid={props.errorId ? true : undefined}
          aria-describedby={props.errorId}
          {...typed}
          onChange={(e) => {
            const v = (e.currentTarget as HTMLInputElement).value;
            props.onChange(v === '' ? undefined : Number(v));
          }}
        />
      )}
    </Field>
  );
}

/** Every M49 region, indented by depth; the empty value is the world (every country). */
export function RegionSelect(props: {
  value: string;
  onChange: (code: string) => void;
  label?: string;
  name?: string;
}) {
  const regions = useRegions();
  const options = [
    { value: '', label: 'World (every country)' },
    ...regions
      .filter((r) => r.level !== 'WORLD')
      .map((r) => ({ value: r.code, label: `${'\u2003'.repeat(Math.max(0, r.depth - 1))}${r.name} (${r.code})` })),
  ];
  // Until the tree has loaded, keep the chosen code selectable so the URL's value is not lost.
  if (props.value && !options.some((o) => o.value === props.value))
    options.push({ value: props.value, label: props.value });
  return (
    <Select
      label={props.label ?? 'Region'}
      name={props.name ?? 'region'}
      value={props.value}
      onChange={props.onChange}
      options={options}
    />
  );
}

export const TIER_OPTIONS = [
  { value: '', label: 'Any tier' },
  { value: 'CORE', label: 'Core' },
  { value: 'ADDITIONAL', label: 'Additional' },
];

export const BUILDING_BLOCK_OPTIONS = [
  { value: '', label: 'Any building block' },
  { value: 'IMMIGRANT_STOCK', label: 'Immigrant stock' },
  { value: 'EMIGRANT_STOCK', label: 'Emigrant stock' },
  { value: 'IMMIGRATION_FLOW', label: 'Immigration flow' },
  { value: 'EMIGRATION_FLOW', label: 'Emigration flow' },
];

export function Loading(props: { what?: string }) {
  return (
    <p class="status" role="status" aria-live="polite">
      Loading {props.what ?? ''}…
    </p>
  );
}

/**
 * Why a read or a write failed. With `retry` (a read's, from useLoad), a "Try again" button when trying again may
 * help (no answer from the hub, or the hub busy or failing: isTransient), so a dropped connection costs a click, not a
 * reload of the page and what was typed on it.
 */
export function ErrorMessage(props: { error: Error; retry?: () => void }) {
  const message = (
    <p class="error" role="alert">
      {props.error.message}
    </p>
  );
  if (!props.retry || !isTransient(props.error)) return message;
  return (
    <div>
      {message}
      <button type="button" onClick={props.retry}>
        Try again
      </button>
    </div>
  );
}

/**
 * Why the session ended, when the hub refused the token rather than the caller signing out (the shell shows it), with
 * a way back to this page once signed in, and that nothing typed was lost (lib/drafts.ts keeps it).
 */
export function TokenRefusedNotice() {
  const { path, url } = useLocation();
  if (!wasTokenRefused()) return null;
  return (
    <p class="error" role="alert">
      Your token is no longer valid (revoked or expired);{' '}
      <a href={path === '/sign-in' ? url : `/sign-in?next=${encodeURIComponent(url)}`}>sign in again</a>. Anything you
      were typing in a form is kept, unsent, and comes back when you sign in with a token of the same role and country.
    </p>
  );
}

/** In place of a signed-out view while a kept token is checked after a reload (a slow hub): not yet signed in or out. */
export function RestoringSession() {
  if (!isRestoring()) return null;
  return (
    <p class="status" role="status" aria-live="polite" data-testid="restoring-session">
      Restoring your session…
    </p>
  );
}
