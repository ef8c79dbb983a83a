import { describe, expect, inject, it } from 'vitest';
import { call, envelopeJson, fixture, latestLinkToken, uniqueEmail } from '../support/api.js';
import { runPdfsig } from '../support/validators.js';

type ErrorBody = { error: { code: string } };

/** A 2×1 RGBA PNG (IHDR, IDAT, IEND). */
const TINY_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAYAAAD0In+KAAAAEUlEQVR4nGNgYGD4z8DAwMAAAAYAAaxEyHcAAAAASUVORK5CYII=';

describe('POST /v1/sign/{token} with a drawn signature', () => {
  it('refuses images that are not small PNGs (4xx, nothing signed), then signs with one that is', async () => {
    const key = inject('devApiKey');
    const email = uniqueEmail('drawn');
    const created = await call<{ id: string; documents: { id: string }[] }>('POST', '/v1/envelopes', {
      key,
      json: envelopeJson({ pdf: fixture('hop-dong-lao-dong.pdf'), signers: [{ name: 'Vũ Thị Mai', email }] }),
    });
    await call('POST', `/v1/envelopes/${created.body.id}/send`, { key });
    const token = await latestLinkToken(email);
    const sign = (image: string) =>
      call<ErrorBody>('POST', `/v1/sign/${token}`, { json: { signature: { type: 'drawn', value: 'Vũ Thị Mai', image } } });

    const bad: [string, number, string][] = [
      ['data:image/jpeg;base64,/9j/4AAQSkZJRg==', 400, 'validation_failed'],
      [`data:image/png;base64,${Buffer.from('<svg onload=alert(1)>'.padEnd(64, ' ')).toString('base64')}`, 400, 'validation_failed'],
      [`data:image/png;base64,${'A'.repeat(300_000)}`, 400, 'validation_failed'], // over the schema's length
      [`data:image/png;base64,${Buffer.alloc(202 * 1024).toString('base64')}`, 413, 'payload_too_large'],
    ];
    for (const [image, status, code] of bad) {
      const r = await sign(image);
      expect([r.status, r.body.error.code], image.slice(0, 40)).toEqual([status, code]);
    }
    const before = await call<{ status: string; documents: { revisions: number }[] }>('GET', `/v1/envelopes/${created.body.id}`, { key });
    expect(before.body.status).toBe('sent');

    const ok = await sign(`data:image/png;base64,${TINY_PNG}`);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const audit = await call<{ events: { action: string; data?: { signature?: string } }[] }>(
      'GET',
      `/v1/envelopes/${created.body.id}/audit`,
      { key },
    );
    expect(audit.body.events.find((e) => e.action === 'recipient.signed')?.data?.signature).toBe('drawn');
    const pdf = await call<Uint8Array>('GET', `/v1/envelopes/${created.body.id}/documents/${created.body.documents[0]?.id}`, { key });
    const root = (await call<string>('GET', '/pki/root.pem')).body;
    const sig = runPdfsig(pdf.body, [root]);
    const mine = sig.signatures.find((s) => s.signerName === 'Vũ Thị Mai');
    expect(mine?.valid && mine.trusted, sig.output).toBe(true);
  });
});
