import type { AuditEvent } from '../envelope/types.js';
import { randomId, sha256Hex } from '../util/bytes.js';
import { canonicalJson } from './canonical-json.js';

/**
 * Personal data in audit events (PDP Law 91/2025, issue 17). An event from version 2 on is
 * hashed over a *commitment* to its personal data instead of the data itself:
 *
 *   pdCommitment = SHA-256(canonical JSON of { salt, email, ip, userAgent, data: {personal keys} })
 *
 * The chain hash covers pdCommitment, so erasing the personal data (and the salt, which keeps
 * anyone from confirming a guessed email against the commitment) leaves every hash — and the
 * KMS-signed heads — verifiable. While the data is present, verification also recomputes the
 * commitment, so editing it is detected as before. Events written before version 2 hash their
 * personal data directly: they stay verifiable and are never erased (see ARCHITECTURE.md).
 */
export const PERSONAL_DATA_KEYS = ['email', 'previousEmail', 'name', 'phone', 'idNumber'] as const;
/**
 * Version 3 (the data-subject requests, shared/data-subjects/) also commits to the identity
 * evidence's name and date of birth (`recipient.identity_verified`), which version 2 hashed in
 * clear and so could not erase. Each version keeps its own list forever: changing a list would
 * change the hashes of the events already written with it.
 */
export const PERSONAL_DATA_KEYS_V3 = [...PERSONAL_DATA_KEYS, 'fullName', 'dateOfBirth'] as const;

type EventBody = Omit<AuditEvent, 'hash'>;

/** Whether an event commits to its personal data (version 2 and later). */
export const isErasable = (e: Pick<AuditEvent, 'v'>): boolean => e.v === 2 || e.v === 3;

const keysOf = (e: Pick<AuditEvent, 'v'>): readonly string[] => (e.v === 3 ? PERSONAL_DATA_KEYS_V3 : PERSONAL_DATA_KEYS);

const personalOf = (e: Pick<AuditEvent, 'actor' | 'ip' | 'userAgent' | 'data' | 'v'>) => ({
  email: e.actor.email,
  ip: e.ip,
  userAgent: e.userAgent,
  data: Object.fromEntries(keysOf(e).flatMap((k) => (e.data?.[k] !== undefined ? [[k, e.data[k]]] : []))),
});

export const commitPersonalData = (e: Pick<AuditEvent, 'actor' | 'ip' | 'userAgent' | 'data' | 'v'>, salt: string): string =>
  sha256Hex(canonicalJson({ salt, ...personalOf(e) }));

/** The part of a version-2/3 event its chain hash covers: everything but the personal data, the salt and the erasure mark. */
export const withoutPersonalData = (e: EventBody): EventBody => {
  const { ip: _ip, userAgent: _ua, pdSalt: _salt, erasedAt: _erased, ...rest } = e;
  const { email: _email, ...actor } = e.actor;
  const keys = keysOf(e);
  const data = e.data ? Object.fromEntries(Object.entries(e.data).filter(([k]) => !keys.includes(k))) : undefined;
  return { ...rest, actor, ...(data ? { data } : {}) };
};

/** A new event's personal-data fields: version 3, a fresh salt and the commitment. */
export const personalDataCommitment = (e: Omit<AuditEvent, 'seq' | 'prevHash' | 'hash'>) => {
  const pdSalt = randomId(16);
  return { v: 3 as const, pdSalt, pdCommitment: commitPersonalData({ ...e, v: 3 }, pdSalt) };
};

/** Present personal data still matches the commitment (erased events have none left to check). */
export const personalDataIntact = (e: AuditEvent): boolean =>
  !isErasable(e) || !!e.erasedAt || (!!e.pdSalt && commitPersonalData(e, e.pdSalt) === e.pdCommitment);

/** The event with its personal data removed; the hash stays valid. Only version-2/3 events can be erased. */
export const erasePersonalData = (e: AuditEvent, at: string): AuditEvent => {
  if (!isErasable(e) || e.erasedAt) return e;
  return { ...(withoutPersonalData(e) as AuditEvent), hash: e.hash, erasedAt: at };
};

export const hasPersonalData = (e: AuditEvent): boolean => {
  const p = personalOf(e);
  return !!(p.email || p.ip || p.userAgent || Object.keys(p.data).length);
};
