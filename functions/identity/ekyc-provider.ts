import { type DocumentIdentityProvider, IdentityProviderError, type ProviderFinding } from '../../shared/identity/ports.js';
import { randomId } from '../../shared/util/bytes.js';
import type { SecretSource } from '../aws/admin-key-secret.js';
import { providerSecret } from './provider-secret.js';

/**
 * An eKYC vendor of the kind Vietnamese platforms use, speaking the REST shape FPT.AI
 * documents: ID recognition `POST {url}/vision/idr/vnm` (multipart `image`, header `api-key`)
 * → `{errorCode, errorMessage, data: [{id, name, dob: dd/mm/yyyy, type, …}]}`, and face
 * matching `POST {url}/dmp/checkface/v1` (multipart `file[]` × 2) →
 * `{code: "200", data: {isMatch, similarity: 0..100, isBothImgIDCard}}`.
 * Fraud signals read: a card the vendor flags as not genuine (`tampering.is_legal: "no"`,
 * as VNPT eKYC reports it) and a "selfie" that is itself a card photo (`isBothImgIDCard`).
 * Another vendor (VNPT eKYC's /ai/v1/ocr/id + /ai/v1/face/compare) is another adapter behind
 * the same port; the URL and key are configuration (KYSO_EKYC_URL, KYSO_EKYC_API_KEY).
 */
export const ekycDocumentProvider = (options: {
  url: string;
  /** The key itself, or where to read it (the provider-secrets secret). */
  apiKey: SecretSource;
  name?: string;
  fetch?: typeof fetch;
}): DocumentIdentityProvider => {
  const doFetch = options.fetch ?? fetch;
  const post = async (path: string, files: [string, Uint8Array][]): Promise<Record<string, unknown>> => {
    const form = new FormData();
    for (const [field, bytes] of files)
      form.append(field, new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }), 'image.jpg');
    // Serialised here so any fetch (the guarded one takes bytes only) can send it.
    const encoded = new Request('http://multipart.invalid/', { method: 'POST', body: form });
    const apiKey = await providerSecret(options.apiKey);
    let r: Response;
    try {
      r = await doFetch(`${options.url}${path}`, {
        method: 'POST',
        headers: { 'api-key': apiKey, 'content-type': encoded.headers.get('content-type') as string },
        body: new Uint8Array(await encoded.arrayBuffer()),
      });
    } catch {
      throw new IdentityProviderError('unavailable', 'eKYC provider unreachable');
    }
    if (r.status >= 500 || r.status === 429) throw new IdentityProviderError('unavailable', `eKYC provider answered HTTP ${r.status}`);
    const body = (await r.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!body) throw new IdentityProviderError('invalid_response', `eKYC provider answered HTTP ${r.status} without JSON`);
    return body;
  };
  const card = (body: Record<string, unknown>) => {
    const first = Array.isArray(body.data) ? (body.data[0] as Record<string, unknown> | undefined) : undefined;
    if (Number(body.errorCode) !== 0 || !first) throw new IdentityProviderError('refused', 'the card could not be read');
    return first;
  };
  return {
    kind: 'document',
    name: options.name ?? 'ekyc',
    async verifyDocument(images): Promise<ProviderFinding> {
      const front = card(await post('/vision/idr/vnm', [['image', images.front]]));
      const back = card(await post('/vision/idr/vnm', [['image', images.back]]));
      const face = await post('/dmp/checkface/v1', [
        ['file[]', images.selfie],
        ['file[]', images.front],
      ]);
      if (String(face.code) !== '200') throw new IdentityProviderError('refused', 'the faces could not be compared');
      const match = (face.data ?? {}) as { similarity?: unknown; isBothImgIDCard?: unknown };
      const dob = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(String(front.dob ?? ''));
      const id = String(front.id ?? '');
      if (!dob || !/^\d{12}$/.test(id) || typeof front.name !== 'string') {
        throw new IdentityProviderError('invalid_response', 'the card reading lacks id, name or date of birth');
      }
      const tampered = [front, back].some((s) => (s.tampering as { is_legal?: unknown } | undefined)?.is_legal === 'no');
      const backId = typeof back.id === 'string' && back.id ? back.id : undefined;
      return {
        provider: options.name ?? 'ekyc',
        method: 'ekyc-document-face',
        transactionId: String(front.request_id ?? face.request_id ?? randomId(9)),
        fullName: front.name,
        dateOfBirth: `${dob[3]}-${dob[2]}-${dob[1]}`,
        idNumber: id,
        scores: { faceMatch: Math.round(Number(match.similarity ?? 0) * 100) / 10000 },
        fraudSuspected: tampered || match.isBothImgIDCard === true || (backId !== undefined && backId !== id),
      };
    },
  };
};
