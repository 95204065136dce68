// The medchain RPC methods the portal calls, typed as docs/rpc.md answers them.
import { call } from './rpc';

export type Role = 'app' | 'auditor' | 'admin' | 'patient';
export type Hex = `0x${string}`;

export interface Session {
  role: Role;
  hospital: number;
  patient: Hex | null;
  genesisHash: Hex;
  slotMillis: number;
}

export interface RecordType {
  recordType: string;
  fields: { name: string; required: boolean }[];
}

export interface SubmittedRecord {
  recordId: Hex;
  fieldRoot: Hex;
  status: string;
}

export interface RecordStatus {
  recordId: Hex;
  status: string;
  fieldRoot: Hex;
  blockNumber?: number;
  transaction?: Hex;
  reason?: string;
}

export interface SharedFields {
  recordId: Hex;
  recordType: string;
  fields: Record<string, string | null>;
  fieldRoot: Hex;
  accessId: number;
  custodian: number;
}

export interface ShareTerms {
  patient: Hex;
  recordIds: Hex[];
  fields?: string[];
  granteeHospital?: number;
  expiresInHours: number;
  maxUses?: number;
  purpose: string;
  tokenPublic: Hex;
}

export interface PreparedShare {
  message: Hex;
  nonce: number;
  deadline: number;
  durationBlocks: number;
}

export interface CreatedShare {
  grantId: number;
  expiresAtBlock: number;
  expiresAt: string;
}

export interface AccessRow {
  outcome: 'granted' | 'refused';
  /** Granted rows: the access entry's id. Refused rows: `block` and `index` name the attempt. */
  accessId?: number;
  index?: number;
  kind: 'share' | 'breakGlass' | 'patient' | string;
  breakGlass?: boolean;
  breakGlassReason?: string;
  grantId?: number;
  recordId: Hex;
  recordType?: string;
  patient: Hex | null;
  accessorHospital?: number | null;
  hospital?: number | null;
  custodian: number | null;
  fields?: string[];
  purpose: string;
  block: number;
  time: string;
  disclosure?: 'released' | 'awaitingRelease' | 'neverReleased';
  reason?: string;
}

export interface AccessLogPage {
  rows: AccessRow[];
  nextCursor: string | null;
}

export interface Hospital {
  id: number;
  kind: string;
  name: string;
  status: string;
  validator: boolean;
  nodes: string[];
}

export interface Health {
  hospital: number;
  bestBlock: number;
  finalizedBlock: number;
  peers: number;
  outboxDepth: number;
}

/** The calls of one signed-in token. */
export class Api {
  constructor(readonly token: string) {}

  session = () => call<Session>(this.token, 'medchain_session');
  recordTypes = () => call<RecordType[]>(this.token, 'medchain_recordTypes');
  submitRecord = (record: {
    clientRequestId: string;
    patient: Hex;
    recordType: string;
    fields: Record<string, string>;
    validUntil?: string;
  }) => call<SubmittedRecord>(this.token, 'medchain_submitRecord', [record]);
  submitRecords = (records: unknown[]) =>
    call<SubmittedRecord[]>(this.token, 'medchain_submitRecords', [records]);
  recordStatus = (recordId: Hex) =>
    call<RecordStatus>(this.token, 'medchain_recordStatus', [recordId]);
  accessShared = (shareToken: string, recordId: Hex, purpose: string) =>
    call<SharedFields>(this.token, 'medchain_accessShared', [{ shareToken, recordId, purpose }]);
  retryAccess = (shareToken: string, accessId: number) =>
    call<SharedFields>(this.token, 'medchain_retryAccess', [{ shareToken, accessId }]);
  prepareShare = (terms: ShareTerms) =>
    call<PreparedShare>(this.token, 'medchain_prepareShare', [terms]);
  createShare = (terms: ShareTerms, nonce: number, deadline: number, patientSignature: Hex) =>
    call<CreatedShare>(this.token, 'medchain_createShare', [
      { terms, nonce, deadline, patientSignature },
    ]);
  revokeShare = (grantId: number) =>
    call<{ grantId: number; block: Hex }>(this.token, 'medchain_revokeShare', [grantId]);
  accessLog = (query: Record<string, unknown>) =>
    call<AccessLogPage>(this.token, 'medchain_accessLog', [query]);
  exportFhir = (kind: string, filter: Record<string, unknown>) =>
    call<unknown>(this.token, 'medchain_exportFhir', [{ kind, filter }]);
  hospitals = () =>
    call<{ hospitals: Hospital[]; next: number | null }>(this.token, 'medchain_hospitals', []);
  health = () => call<Health>(this.token, 'medchain_health');
  verifyPrescription = (recordId: Hex, shareToken?: string) =>
    call<PrescriptionVerification>(this.token, 'medchain_verifyPrescription', [
      { recordId, ...(shareToken && { shareToken }) },
    ]);
  fillPrescription = (recordId: Hex, quantity: number) =>
    call<FilledPrescription>(this.token, 'medchain_fillPrescription', [{ recordId, quantity }]);
}

export interface MemberRef {
  id: number;
  name: string;
  status: string;
}

export interface PrescriptionFill {
  fillNo: number;
  pharmacy: MemberRef;
  recordId: Hex;
  quantity: number;
  block: number;
  time: string;
}

export interface PrescriptionVerification {
  recordId: Hex;
  authentic: boolean;
  prescriber: MemberRef;
  patient: Hex;
  status: string;
  amendedBy?: Hex | null;
  fieldRoot: Hex;
  anchoredAt: string;
  expiresAt: string;
  expired: boolean;
  fillsAllowed: number;
  fillsUsed: number;
  fillsLeft: number;
  fills: PrescriptionFill[];
  block: number;
  /** With a share token: the shared fields, opened as `accessShared` opens them. */
  fields?: SharedFields;
}

export interface FilledPrescription {
  recordId: Hex;
  fillNo: number;
  quantity: number;
  block: number;
  fillsLeft: number;
}
