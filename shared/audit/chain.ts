import type { AuditEvent } from '../envelope/types.js';
import { sha256Hex } from '../util/bytes.js';
import { canonicalJson } from './canonical-json.js';
import { isErasable, personalDataCommitment, personalDataIntact, withoutPersonalData } from './personal-data.js';

/** The hash of the empty chain: what the first event's prevHash holds. */
export const GENESIS_HASH = '0'.repeat(64);

export { canonicalJson };

/**
 * Each event's hash covers its content and the previous event's hash: editing any stored event
 * breaks the chain. Version-2 and -3 events (shared/audit/personal-data.ts) cover a commitment to their
 * personal data instead of the data, so it can be erased without breaking the chain.
 */
export const hashEvent = (event: Omit<AuditEvent, 'hash'>): string =>
  sha256Hex(canonicalJson(isErasable(event) ? withoutPersonalData(event) : event));

export const chainEvent = (event: Omit<AuditEvent, 'seq' | 'prevHash' | 'hash'>, previous: AuditEvent | undefined): AuditEvent => {
  const body = { ...event, ...personalDataCommitment(event), seq: (previous?.seq ?? 0) + 1, prevHash: previous?.hash ?? GENESIS_HASH };
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
    if (e.seq !== i + 1 || e.prevHash !== prev || hashEvent(body) !== hash || !personalDataIntact(e)) return { ok: false, brokenAt: e.seq };
    prev = hash;
  }
  return { ok: true };
};
