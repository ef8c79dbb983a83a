import type { AuditEvent } from '../envelope/types.js';
import { sha256Hex } from '../util/bytes.js';

/** The hash of the empty chain: what the first event's prevHash holds. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with keys sorted at every level, so the same event always hashes the same. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
};

/** Each event's hash covers its content and the previous event's hash: editing any stored event breaks the chain. */
export const hashEvent = (event: Omit<AuditEvent, 'hash'>): string => sha256Hex(canonicalJson(event));

export const chainEvent = (event: Omit<AuditEvent, 'seq' | 'prevHash' | 'hash'>, previous: AuditEvent | undefined): AuditEvent => {
  const body = { ...event, seq: (previous?.seq ?? 0) + 1, prevHash: previous?.hash ?? GENESIS_HASH };
  return { ...body, hash: hashEvent(body) };
};

export interface ChainCheck {
  readonly ok: boolean;
  /** seq of the first event whose hash or link does not match */
  readonly brokenAt?: number;
}

export const verifyChain = (events: readonly AuditEvent[]): ChainCheck => {
  let prev = GENESIS_HASH;
  for (const [i, e] of events.entries()) {
    const { hash, ...body } = e;
    if (e.seq !== i + 1 || e.prevHash !== prev || hashEvent(body) !== hash) return { ok: false, brokenAt: e.seq };
    prev = hash;
  }
  return { ok: true };
};
