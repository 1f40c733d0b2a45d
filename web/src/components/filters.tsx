// Filter controls bound to one query-string parameter each (lib/params): a control reads its parameter and writes it
// back, so every page's filters make a shareable URL the same way. `onChange` lets a page reset paging first.
import { useId } from 'preact/hooks';
import { yearWindow, type PageParams } from '../lib/params';
import { BUILDING_BLOCK_OPTIONS, Field, RegionSelect, Select, TIER_OPTIONS, useTyped, YearInput } from './controls';

interface Bound {
  p: PageParams;
  onChange?: () => void;
}

export function ParamSelect(
  props: Bound & { name: string; label: string; options: { value: string; label: string }[] },
) {
  return (
    <Select
      label={props.label}
      name={props.name}
      value={props.p.get(props.name)}
      onChange={(v) => {
        props.onChange?.();
        props.p.set({ [props.name]: v });
      }}
      options={props.options}
    />
  );
}

/** The `from` and `to` reference years, and beside them why a half-given or reversed window is not used. */
export function YearWindowFilter(props: Bound) {
  const { p } = props;
  const { error } = yearWindow(p);
  const errorId = useId();
  return (
    <>
      {(['from', 'to'] as const).map((name) => (
        <YearInput
          key={name}
          label={name === 'from' ? 'From year' : 'To year'}
          name={name}
          value={p.num(name)}
          errorId={error ? errorId : undefined}
          onChange={(v) => {
            props.onChange?.();
            p.set({ [name]: v });
          }}
        />
      ))}
      {error && (
        <p class="error window-error" role="alert" id={errorId}>
          {error}
        </p>
      )}
    </>
  );
}

export function RegionFilter(props: Bound) {
  return (
    <RegionSelect
      value={props.p.get('region')}
      onChange={(v) => {
        props.onChange?.();
        props.p.set({ region: v });
      }}
    />
  );
}

/** Free-text search in `q`. */
export function SearchFilter(props: Bound & { label: string }) {
  const typed = useTyped(props.p.get('q'));
  return (
    <Field label={props.label}>
      {(id) => (
        <input
          id={id}
          name="q"
          type="search"
          {...typed}
          onChange={(e) => {
            props.onChange?.();
            props.p.set({ q: (e.currentTarget as HTMLInputElement).value.trim() });
          }}
        />
      )}
    </Field>
  );
}

/** Tier in `tier`; `anyLabel` names what no tier means on the page. */
export function TierFilter(props: Bound & { anyLabel?: string }) {
  const options = TIER_OPTIONS.map((o) => (o.value || !props.anyLabel ? o : { value: '', label: props.anyLabel }));
  return <ParamSelect {...props} name="tier" label="Tier" options={options} />;
}

/** Building block in `bb`. */
export function BuildingBlockFilter(props: Bound) {
  return <ParamSelect {...props} name="bb" label="Building block" options={BUILDING_BLOCK_OPTIONS} />;
}
