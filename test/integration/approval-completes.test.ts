import { describe, expect, inject, it } from 'vitest';
import { call, uniqueEmail } from '../support/api.js';
import { extractSignatures } from '../support/pdf-inspect.js';
import { runPdfsig } from '../support/validators.js';
import { createAndSend, getEnvelope, latestLinkToken, signWith } from '../support/workflow.js';

describe('an approval that finishes the envelope', () => {
  it('still gives the document its long-term revision (DSS + document timestamp)', async () => {
    const key = inject('devApiKey');
    const worker = { name: 'Ngô Thị Mai', email: uniqueEmail('mai'), order: 1 };
    const director = { name: 'Giám đốc Phê Duyệt', email: uniqueEmail('gd'), role: 'approver', order: 2 };
    const env = await createAndSend(key, [worker, director]);
    expect((await signWith(await latestLinkToken(worker.email), worker.name)).status).toBe(200);
    const approved = await call('POST', `/v1/sign/${await latestLinkToken(director.email)}/approve`, { json: {} });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);

    const done = await getEnvelope(key, env.id);
    expect(done.body.status).toBe('completed');
    const doc = done.body.documents[0] as { id: string };
    const pdf = (await call<Uint8Array>('GET', `/v1/envelopes/${env.id}/documents/${doc.id}`, { key })).body;
    expect(extractSignatures(pdf).map((s) => s.subFilter)).toEqual(['ETSI.CAdES.detached', 'ETSI.CAdES.detached', 'ETSI.RFC3161']);
    expect(Buffer.from(pdf).toString('latin1')).toMatch(/\/DSS \d+ 0 R/);
    const root = (await call<string>('GET', '/pki/root.pem')).body;
    const sig = runPdfsig(pdf, [root]);
    for (const s of sig.signatures.filter((x) => x.subFilter === 'ETSI.CAdES.detached')) expect(s.valid && s.trusted, s.raw).toBe(true);
  });
});
