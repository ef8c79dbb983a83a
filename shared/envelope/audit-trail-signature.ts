import { verify } from 'node:crypto';
import { verifyChain } from '../audit/chain.js';
import type { EnvelopeDeps } from './deps.js';
import type { AuditEvent, Envelope } from './types.js';

export const HEAD_SIGNED = 'audit.head_signed';

/** The exact bytes signed for a chain head: domain-separated, so they can never be mistaken for a CMS or certificate. */
export const headSigningInput = (tenantId: string, envelopeId: string, seq: number, hash: string): Uint8Array =>
  new TextEncoder().encode(`kyso-audit-head/v1\n${tenantId}\n${envelopeId}\n${seq}\n${hash}`);

/**
 * At completion the head of the hash chain is signed with the platform signing key (KMS):
 * the signature, the key id and the public key go into the chain itself as one more event.
 * Anyone holding the platform certificate can then tell that no event up to the head was
 * changed, removed or reordered after completion.
 */
export const signAuditHead = async (
  deps: EnvelopeDeps,
  envelope: Envelope,
  /** `effectId`: the outbox item this is done for (the append is then idempotent); `events`: the trail, if already read. */
  options: { readonly effectId?: string; readonly events?: readonly AuditEvent[] } = {},
): Promise<AuditEvent> => {
  const events = options.events ?? (await deps.audit.list(envelope.tenantId, envelope.id));
  const head = events[events.length - 1];
  if (!head) throw new Error('audit trail is empty');
  const signer = (await deps.pki()).auditSigner;
  const signature = await signer.sign(headSigningInput(envelope.tenantId, envelope.id, head.seq, head.hash));
  return deps.audit.append(
    envelope.tenantId,
    envelope.id,
    {
      at: deps.clock.now().toISOString(),
      action: HEAD_SIGNED,
      actor: { type: 'system' },
      data: {
        seq: head.seq,
        hash: head.hash,
        algorithm: signer.algorithm,
        ...(signer.keyId ? { keyId: signer.keyId } : {}),
        publicKey: Buffer.from(await signer.publicKey()).toString('base64'),
        signature: Buffer.from(signature).toString('base64'),
      },
    },
    options.effectId ? { effectId: options.effectId } : {},
  );
};

export interface HeadSignatureCheck {
  readonly seq: number;
  readonly hash: string;
  readonly keyId?: string;
  readonly algorithm: string;
  /** The signed hash is the stored hash of event `seq`. */
  readonly matchesEvent: boolean;
  /** The signature verifies under the public key it names. */
  readonly signatureValid: boolean;
  /** That public key is the platform signing key (not one an attacker brought). */
  readonly platformKey: boolean;
}

export interface AuditVerification {
  readonly ok: boolean;
  readonly events: number;
  readonly chain: { readonly ok: boolean; readonly brokenAt?: number };
  readonly headSignatures: readonly HeadSignatureCheck[];
  readonly problems: readonly string[];
}

/** Recomputes the chain and every head signature; reports the first break and each problem found. */
export const verifyAuditTrail = async (deps: EnvelopeDeps, envelope: Envelope): Promise<AuditVerification> => {
  const events = await deps.audit.list(envelope.tenantId, envelope.id);
  const chain = verifyChain(events);
  const problems: string[] = [];
  if (!chain.ok)
    problems.push(`The hash chain breaks at event ${chain.brokenAt}: it or an earlier event was changed, removed or reordered.`);
  const platformSpki = Buffer.from(await (await deps.pki()).auditSigner.publicKey());
  const headSignatures: HeadSignatureCheck[] = [];
  for (const e of events.filter((x) => x.action === HEAD_SIGNED)) {
    const d = (e.data ?? {}) as { seq?: number; hash?: string; algorithm?: string; keyId?: string; publicKey?: string; signature?: string };
    const seq = Number(d.seq);
    const hash = String(d.hash ?? '');
    const spki = Buffer.from(d.publicKey ?? '', 'base64');
    let signatureValid = false;
    try {
      signatureValid = verify(
        'sha256',
        headSigningInput(envelope.tenantId, envelope.id, seq, hash),
        { key: spki, format: 'der', type: 'spki', dsaEncoding: 'der' },
        Buffer.from(d.signature ?? '', 'base64'),
      );
    } catch {
      signatureValid = false;
    }
    const check: HeadSignatureCheck = {
      seq,
      hash,
      algorithm: String(d.algorithm ?? ''),
      ...(d.keyId ? { keyId: d.keyId } : {}),
      matchesEvent: events.find((x) => x.seq === seq)?.hash === hash,
      signatureValid,
      platformKey: spki.equals(platformSpki),
    };
    if (!check.matchesEvent) problems.push(`The signed head (event ${seq}) does not match the stored event ${seq}.`);
    if (!check.signatureValid) problems.push(`The head signature in event ${e.seq} does not verify.`);
    if (!check.platformKey) problems.push(`The head signature in event ${e.seq} is not by the platform signing key.`);
    headSignatures.push(check);
  }
  if (envelope.status === 'completed' && headSignatures.length === 0)
    problems.push('The envelope is completed but its audit head is not signed.');
  return { ok: problems.length === 0, events: events.length, chain, headSignatures, problems };
};
