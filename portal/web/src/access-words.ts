// How the portal words an access-log row: who, what happened, and what was released.
import type { AccessRow } from './api';

/** Whether the row is an emergency access or an emergency attempt. */
export function isBreakGlass(row: AccessRow): boolean {
  return row.breakGlass === true || row.kind === 'breakGlass';
}

/** Who read (or tried): the hospital, or the patient themself. */
export function reader(row: AccessRow, names: (id?: number) => string, patientSees = false): string {
  if (row.kind === 'patient') return patientSees ? 'You' : 'The patient';
  const id = row.accessorHospital ?? row.hospital;
  return id === null || id === undefined ? 'An unknown member' : names(id);
}

const DISCLOSURES: Record<string, string> = {
  released: 'sent by the custodian, with its receipt on the chain',
  awaitingRelease: 'authorized, not sent yet',
  neverReleased: 'authorized, but the custodian never sent them',
};

/** The outcome in words. */
export function outcome(row: AccessRow): string {
  if (row.outcome === 'refused') return `refused by the chain (${row.reason ?? 'no reason given'})`;
  return `granted; fields ${DISCLOSURES[row.disclosure ?? ''] ?? 'status unknown'}`;
}

/** A stable key for the row. */
export function rowKey(row: AccessRow): string {
  return row.outcome === 'granted' ? `a${row.accessId}` : `r${row.block}-${row.index}`;
}

/** What an empty page says, when more pages may follow. */
export function emptyPage(next: string | null, none: string): string {
  return next ? 'No accesses on this page; the next page may have some.' : none;
}

/** How the access was made. */
export function kind(row: AccessRow): string {
  if (isBreakGlass(row)) {
    return `emergency (break-glass${row.breakGlassReason ? `: ${row.breakGlassReason}` : ''})`;
  }
  return row.kind === 'share' ? 'with a share' : row.kind === 'patient' ? 'the patient’s own read' : row.kind;
}

/** What a view of one page of rows needs. */
export interface RowsProps {
  rows: AccessRow[];
  /** The next page's cursor: an empty page may still have one. */
  next: string | null;
  names: (id?: number) => string;
}
