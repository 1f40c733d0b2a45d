// Data access: for people who connect the hub to a data portal. A selection (indicator, country, years) gives the
// bulk-download and SDMX REST 2.0 URLs, each a link and copyable text; then how to keep a copy in sync, and the
// limits. Everything here works without a token (published data); the README's "For portals" has the details.
import { AccessUrl } from '../components/access-url';
import { ErrorMessage, Loading, Select } from '../components/controls';
import { YearWindowFilter } from '../components/filters';
import type { IndicatorOptionsQuery } from '../gql/graphql';
import { downloadUrl, sdmxKey, sdmxUrls, type Selection } from '../lib/access-urls';
import { IndicatorOptionsDoc, loadCountryOptions, type CountryOption } from '../lib/catalogue';
import { useLoad, useQuery, type QueryState } from '../lib/client';
import { useParams, yearWindow, type PageParams } from '../lib/params';

type IndicatorOption = IndicatorOptionsQuery['indicators']['nodes'][number];

/** A code of the URL checked against its list: the list's own code for it, or why there is none yet. */
type Checked = { code: string } | { pending: true } | { unknown: string };

/**
 * The URL's `indicator` and `country` as the lists know them. A country may be given as M49 or ISO3, as on the other
 * pages, and is turned into M49, the only code SDMX's REF_AREA takes; a code that names nothing is reported, so that
 * no URL is built from it (it would answer 404, or an empty file).
 */
function check<T>(
  given: string,
  list: QueryState<T[]>,
  matches: (item: T, code: string) => boolean,
  code: (item: T) => string,
): Checked {
  if (!given) return { code: '' };
  if (list.status !== 'done') return { pending: true };
  const found = list.data.find((item) => matches(item, given.trim()));
  return found ? { code: code(found) } : { unknown: given };
}

const isIndicator = (i: IndicatorOption, code: string) => i.code.toUpperCase() === code.toUpperCase();
const isCountry = (c: CountryOption, code: string) =>
  /^\d{1,3}$/.test(code) ? c.m49 === code.padStart(3, '0') : c.iso3?.toUpperCase() === code.toUpperCase();

export default function DataAccessPage() {
  const p = useParams();
  const { window, error: windowError } = yearWindow(p);
  const indicatorList = useQuery(IndicatorOptionsDoc, {});
  const indicators: QueryState<IndicatorOption[]> =
    indicatorList.status === 'done' ? { ...indicatorList, data: indicatorList.data.indicators.nodes } : indicatorList;
  const countries = useLoad(loadCountryOptions, []);
  const indicator = check(p.get('indicator'), indicators, isIndicator, (i) => i.code);
  const country = check(p.get('country'), countries, isCountry, (c) => c.m49);
  const unknown = [
    'unknown' in indicator && `No indicator with code “${indicator.unknown}”.`,
    'unknown' in country && `No country or area with code “${country.unknown}”.`,
  ].filter(Boolean);
  const origin = location.origin;
  let urls;
  if (windowError) {
    urls = <p class="hint">The URLs appear once both years are given, or both left empty for every year.</p>;
  } else if ('pending' in indicator || 'pending' in country) {
    // Said once both lists have answered, so that the alert is not announced again when the second arrives.
    if (indicators.status !== 'error' && countries.status !== 'error') urls = <Loading what="the selection" />;
  } else if (unknown.length) {
    urls = (
      <p class="error" role="alert" data-testid="unknown-codes">
        {unknown.join(' ')} Choose from the lists: no URL is made from a code that names nothing.
      </p>
    );
  } else if ('code' in indicator && 'code' in country) {
    const selection: Selection = { indicator: indicator.code, country: country.code, window };
    urls = (
      <>
        <DownloadSection origin={origin} selection={selection} />
        <SdmxSection origin={origin} selection={selection} />
      </>
    );
  }
  return (
    <main id="main">
      <h1>Data access</h1>
      <p class="lead">
        For data portals (IOM’s Global Migration Data Portal, UN data portals, the .Stat Suite) and anyone who keeps a
        copy of the hub’s data. Choose what you need to get its download and SDMX URLs. No token is needed: without one,
        every URL here gives the published data. These links carry no token even when you are signed in here; a script
        sends <code>Authorization: Bearer &lt;token&gt;</code> to read what its token may see.
      </p>
      {/* Indicator, country and years in the query string (as on every page), so a selection is a link to share. */}
      <form class="filters" aria-label="Data selection" onSubmit={(e) => e.preventDefault()}>
        <CodeSelect
          p={p}
          name="indicator"
          label="Indicator"
          every="Every indicator"
          checked={indicator}
          list={indicators}
          option={(i) => ({ value: i.code, label: `${i.code} — ${i.name}` })}
        />
        <CodeSelect
          p={p}
          name="country"
          label="Country or area"
          every="Every country and area"
          checked={country}
          list={countries}
          option={(c) => ({ value: c.m49, label: `${c.name} (${c.m49})` })}
        />
        <YearWindowFilter p={p} />
      </form>
      {urls}
      <SyncSection />
      <LimitsSection />
    </main>
  );
}

/**
 * A select of one list, bound to a URL parameter; it shows the list's entry for the URL's code (Switzerland for CHE),
 * the code itself until the list has loaded, and an unknown code as such rather than "Every …". The year fields keep
 * what is typed across the re-render when a list arrives (useTyped in components/controls).
 */
function CodeSelect<T>(props: {
  p: PageParams;
  name: string;
  label: string;
  every: string;
  checked: Checked;
  list: QueryState<T[]>;
  option: (item: T) => { value: string; label: string };
}) {
  const given = props.p.get(props.name);
  const options = [
    { value: '', label: props.every },
    ...(props.list.status === 'done'
      ? props.list.data.map(props.option)
      : given
        ? [{ value: given, label: given }]
        : []),
  ];
  if ('unknown' in props.checked) options.push({ value: given, label: `${given} (unknown)` });
  return (
    <>
      <Select
        label={props.label}
        name={props.name}
        value={'code' in props.checked ? props.checked.code : given}
        onChange={(v) => props.p.set({ [props.name]: v })}
        options={options}
      />
      {props.list.status === 'error' && <ErrorMessage error={props.list.error} retry={props.list.retry} />}
    </>
  );
}

function DownloadSection(props: { origin: string; selection: Selection }) {
  const { origin, selection } = props;
  return (
    <section aria-labelledby="downloads-title">
      <h2 id="downloads-title">Bulk download</h2>
      <p class="hint">
        Every published observation of the selection, one row each, in the hub’s submissions import format (so a file
        re-imports with <code>migstat import submissions</code>). Rows come from every source that reports a value.
        Streamed, so the whole hub downloads too.
      </p>
      <div class="stack">
        <AccessUrl
          kind="download-csv"
          label="CSV download URL"
          linkText="Download CSV"
          url={downloadUrl(origin, 'csv', selection)}
        />
        <AccessUrl
          kind="download-xlsx"
          label="XLSX download URL"
          linkText="Download XLSX"
          url={downloadUrl(origin, 'xlsx', selection)}
        />
        <AccessUrl
          kind="catalogue"
          label="Catalogue URL (indicators, variables, countries, regions; JSON)"
          linkText="Download the catalogue"
          url={`${origin}/download/catalogue.json`}
        />
      </div>
    </section>
  );
}

function SdmxSection(props: { origin: string; selection: Selection }) {
  const { origin, selection } = props;
  const urls = sdmxUrls(origin, selection);
  return (
    <section aria-labelledby="sdmx-title">
      <h2 id="sdmx-title">SDMX REST 2.0</h2>
      <p class="hint">
        Dataflow <code>MIGSTAT:DF_MIGRATION(1.0)</code> at <code>{origin}/sdmx/v2</code>. The key of this selection is{' '}
        <code>{sdmxKey(selection)}</code>: frequency (<code>A</code>, annual), <code>REF_AREA</code>,{' '}
        <code>INDICATOR</code>, and a trailing <code>*</code> for the breakdowns (sex, age, …). <code>REF_AREA</code>{' '}
        takes M49 codes, three digits (Switzerland is <code>756</code>), not ISO3 codes. Where several sources give a
        value for the same key and year, SDMX gives the one validated or published most recently. A query of more than
        250 000 observations is refused (413): use the bulk download for those.
      </p>
      <div class="stack">
        <AccessUrl
          kind="sdmx-structure"
          label="Structure URL (dataflow, data structure, concepts, code lists)"
          linkText="Open the structure"
          url={urls.structure}
        />
        <AccessUrl
          kind="sdmx-json"
          label="Data URL, SDMX-JSON"
          linkText="Open the data (SDMX-JSON)"
          url={urls.dataJson}
        />
        <AccessUrl kind="sdmx-csv" label="Data URL, SDMX-CSV" linkText="Open the data (SDMX-CSV)" url={urls.dataCsv} />
        <AccessUrl
          kind="sdmx-availability"
          label="Availability URL (codes and years with data, series and observation counts)"
          linkText="Open the availability"
          url={urls.availability}
        />
      </div>
    </section>
  );
}

function SyncSection() {
  return (
    <section aria-labelledby="sync-title">
      <h2 id="sync-title">Keeping a copy in sync</h2>
      <p>
        Three ways to learn what changed since your last read; <a href="/graphql">GraphiQL</a> (at <code>/graphql</code>
        ) documents and runs the GraphQL ones.
      </p>
      <h3>SDMX: updatedAfter</h3>
      <p>
        Add <code>updatedAfter=2026-01-01T00:00:00Z</code> (an ISO-8601 instant; write <code>Z</code>, since{' '}
        <code>+</code> joins conditions) to a data query to get only what changed since then: the observations added or
        revised (a data set with action <code>Information</code>) and those deleted (a second data set with action{' '}
        <code>Delete</code>; in SDMX-CSV, rows with <code>ACTION</code> <code>D</code> and no values). The downloads
        take <code>updatedAfter</code> too, but list additions and revisions only: their format cannot say that a row is
        gone.
      </p>
      <p>
        For the next query, send as <code>updatedAfter</code> the time the answer is complete through, by the hub's
        clock (yours may differ): every answer to an <code>updatedAfter</code> query, a 204 (nothing changed) too, gives
        it in the <code>migstat-complete-through</code> header, and an SDMX message also as its{' '}
        <code>meta.prepared</code>.
      </p>
      <h3>GraphQL change feed</h3>
      <p>
        <code>changes(after: …, first: …)</code> lists every change to what you may see, in commit order: an{' '}
        <code>UPSERT</code> carries the series key’s countable version with its observations, a <code>DELETE</code> says
        the key has none left that you may see; catalogue changes come too (<code>series: null</code>, with the{' '}
        <code>item</code>). Keep <code>pageInfo.endCursor</code> and pass it as <code>after</code> next time: every
        change appears exactly once. Replayed from the start into an empty store, the feed gives what the CSV download
        gives. Instead of polling, <code>subscription {'{ changes(after: …) { … } }'}</code> over server-sent events (
        <code>POST /graphql</code> with <code>Accept: text/event-stream</code>) replays from <code>after</code>, then
        streams each change as it is committed.
      </p>
      <h3>Webhooks</h3>
      <p>
        An <code>ADMIN</code> of the hub registers your endpoint with{' '}
        <code>createWebhook(input: {'{ url, secret, events: [UPSERT, DELETE] }'})</code>. Each public change (what a
        caller without a token sees) is then POSTed to it as JSON, with <code>X-Migstat-Delivery</code> and{' '}
        <code>X-Migstat-Signature: sha256=…</code>, the HMAC-SHA256 of the raw body with the secret: check it before
        trusting the body. Answer 2xx to acknowledge; anything else is retried with exponential backoff. Delivery is at
        least once: deduplicate by <code>X-Migstat-Delivery</code>, order by <code>sequence</code>.
      </p>
    </section>
  );
}

function LimitsSection() {
  return (
    <section aria-labelledby="limits-title">
      <h2 id="limits-title">Limits and caching</h2>
      <p>
        <code>/graphql</code>, <code>/sdmx/v2</code> and <code>/download</code> count requests per token or, without
        one, per address: by default 1 200 a minute per token and 300 per address. Every answer says where you stand (
        <code>RateLimit-Limit</code>, <code>RateLimit-Remaining</code>, <code>RateLimit-Reset</code>); a spent budget is{' '}
        <code>429 Too Many Requests</code> with <code>Retry-After</code> in seconds.
      </p>
      <p>
        Every SDMX and download answer carries an <code>ETag</code>: send it back in <code>If-None-Match</code> and the
        hub answers <code>304 Not Modified</code>, with no body, until the data change. Send{' '}
        <code>Accept-Encoding: gzip</code> for compressed answers.
      </p>
    </section>
  );
}
