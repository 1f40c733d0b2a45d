// Words and marks for implementation status (CONTRACT §8), shared by the implementation page and the country profile.
import type { AdoptionStatus, Discrepancy } from '../gql/graphql';
import { humanize } from '../lib/format';

interface Cell {
  status?: AdoptionStatus | null;
  since?: number | null;
  evidence?: { met: boolean; detail: string } | null;
  discrepancy?: Discrepancy | null;
}

export const STATUS_LABEL: Record<string, string> = {
  IMPLEMENTED: 'Implemented',
  PARTIAL: 'Partial',
  PLANNED: 'Planned',
  NOT_STARTED: 'Not started',
  NOT_APPLICABLE: 'Not applicable',
  UNKNOWN: 'Unknown',
};
/** Short forms for the matrix cells (the full words are in each cell's accessible name and the legend). */
export const STATUS_SHORT: Record<string, string> = {
  IMPLEMENTED: 'Impl.',
  PARTIAL: 'Part.',
  PLANNED: 'Plan.',
  NOT_STARTED: 'Not st.',
  NOT_APPLICABLE: 'N/A',
  UNKNOWN: '?',
};
export const DISCREPANCY_LABEL: Record<string, string> = {
  DECLARED_NOT_EVIDENCED: 'Declared implemented, not evidenced by the data',
  EVIDENCED_NOT_DECLARED: 'Evidenced by the data, not declared',
};

/** A recommendation's short name, from its code: REC_FOUR_GROUPS → "Four groups". */
export const recommendationName = (code: string) => humanize(code.replace(/^REC_/, ''));

/** A cell's words: status, evidence, discrepancy (its title and accessible name). */
export function describeCell(c: Cell): string {
  const parts = [STATUS_LABEL[c.status ?? 'UNKNOWN']!];
  if (c.since) parts[0] += ` since ${c.since}`;
  parts.push(c.evidence ? `evidence ${c.evidence.met ? 'met' : 'not met'}: ${c.evidence.detail}` : 'no evidence rule');
  if (c.discrepancy) parts.push(`discrepancy: ${DISCREPANCY_LABEL[c.discrepancy]}`);
  return parts.join('; ');
}

export function EvidenceMark(props: { cell: Pick<Cell, 'evidence'> }) {
  const e = props.cell.evidence;
  if (!e) return <span class="ev ev-none">–</span>;
  return e.met ? <span class="ev ev-met">✓</span> : <span class="ev ev-not">✗</span>;
}
