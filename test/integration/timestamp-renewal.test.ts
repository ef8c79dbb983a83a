import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerTimestampQuery } from '../../shared/pki/timestamp-response.js';
import { call, createTenant, outboxDrained, uniqueEmail } from '../support/api.js';
import { extractSignatures } from '../support/pdf-inspect.js';
import { createTestPki } from '../support/test-pki.js';
import { runPdfsig, withTempDir } from '../support/validators.js';
import { createAndSend, latestLinkToken, runScheduler, signWith } from '../support/workflow.js';

const DAY = 86_400_000;

interface Env {
  status: string;
  documents: { id: string; sha256: string; revisions: number }[];
  retention?: { lockedObjects: number; timestampsRenewBy?: string };
}

/** Timestamps every revision of `pdf` with openssl: each document timestamp against the bytes it covers. */
const opensslDocumentTimestamps = (pdf: Uint8Array, rootsPem: string): string[] =>
  withTempDir((dir) => {
    const roots = join(dir, 'roots.pem');
    writeFileSync(roots, rootsPem);
    return extractSignatures(pdf)
      .filter((s) => s.subFilter === 'ETSI.RFC3161')
      .map((s, i) => {
        const [a, b, c, d] = s.byteRange as [number, number, number, number];
        writeFileSync(join(dir, `t${i}.tst`), s.cms);
        writeFileSync(join(dir, `c${i}`), Buffer.concat([pdf.subarray(a, b), pdf.subarray(c, c + d)]));
        return execFileSync('openssl', ['ts', '-verify', '-token_in', '-in', `t${i}.tst`, '-data', `c${i}`, '-CAfile', roots], {
          cwd: dir,
          encoding: 'utf8',
        });
      });
  });

describe('document timestamp renewal (B-LTA kept alive)', () => {
  let tsa: Server;
  let tsaUrl = '';
  // A TSA whose certificates were issued 30 days ago for a year: they expire in 335 days, inside the 1-year margin.
  let tsaPki: Awaited<ReturnType<typeof createTestPki>>;

  beforeAll(async () => {
    tsaPki = await createTestPki('ECC_NIST_P256', new Date(Date.now() - 30 * DAY));
    tsa = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const answer = await answerTimestampQuery(new Uint8Array(Buffer.concat(chunks)), tsaPki.tsa, { now: () => new Date() });
        res.writeHead(200, { 'content-type': 'application/timestamp-reply' });
        res.end(Buffer.from(answer.response));
      });
    });
    await new Promise<void>((r) => tsa.listen(0, '127.0.0.1', r));
    tsaUrl = `http://127.0.0.1:${(tsa.address() as AddressInfo).port}/tsa`;
  });
  afterAll(() => new Promise<void>((r) => tsa.close(() => r())));

  it('renews a document whose TSA certificate expires within the margin; validators still say valid; earlier bytes untouched', async () => {
    const tenant = await createTenant('Công ty Gia Hạn Dấu Thời Gian');
    const key = tenant.apiKey;
    expect((await call('PUT', '/v1/settings', { key, json: { tsaUrls: [tsaUrl] } })).status).toBe(200);
    const a = { name: 'Đỗ Thị Hằng', email: uniqueEmail('renew') };
    const env = await createAndSend(key, [a]);
    expect((await signWith(await latestLinkToken(a.email), a.name)).status).toBe(200);
    await outboxDrained(); // the archive is an effect of completion (the worker's)
    const completed = (await call<Env>('GET', `/v1/envelopes/${env.id}`, { key })).body;
    const doc = completed.documents[0] as Env['documents'][number];
    const tsaExpiry = Date.parse(completed.retention?.timestampsRenewBy ?? '');
    expect(Math.abs(tsaExpiry - (Date.now() + 335 * DAY))).toBeLessThan(2 * DAY);
    const before = (await call<Uint8Array>('GET', `/v1/envelopes/${env.id}/documents/${doc.id}`, { key })).body;

    // Clock: 60 days ago, the expiry was more than a year away: nothing to do.
    await runScheduler('retention', new Date(Date.now() - 60 * DAY));
    expect((await call<Env>('GET', `/v1/envelopes/${env.id}`, { key })).body.documents[0]?.sha256).toBe(doc.sha256);

    // Now it is due, but the tenant still uses the expiring TSA: a renewal would not outlive it, so nothing is written.
    const refused = await runScheduler('retention', new Date(Date.now() + DAY));
    expect(refused.body.failed).toBeGreaterThanOrEqual(1);
    expect((await call<Env>('GET', `/v1/envelopes/${env.id}`, { key })).body.documents[0]?.sha256).toBe(doc.sha256);

    // The tenant moves to the platform TSA (6-year certificate): the next sweep renews.
    expect((await call('PUT', '/v1/settings', { key, json: { tsaUrls: [] } })).status).toBe(200);
    await runScheduler('retention', new Date(Date.now() + DAY));
    const renewed = (await call<Env>('GET', `/v1/envelopes/${env.id}`, { key })).body;
    const next = renewed.documents[0] as Env['documents'][number];
    expect(next.sha256).not.toBe(doc.sha256);
    expect(next.revisions).toBe(doc.revisions + 1);
    expect(renewed.retention?.lockedObjects).toBe(4); // the renewed revision is locked too
    expect(Date.parse(renewed.retention?.timestampsRenewBy ?? '')).toBeGreaterThan(Date.now() + 5 * 365 * DAY);

    const after = (await call<Uint8Array>('GET', `/v1/envelopes/${env.id}/documents/${doc.id}`, { key })).body;
    expect(Buffer.from(after.subarray(0, before.length)).equals(Buffer.from(before))).toBe(true);

    const platformRoot = (await call<string>('GET', '/pki/root.pem')).body;
    const pdfsig = runPdfsig(after, [platformRoot, tsaPki.rootPem]);
    const approvals = pdfsig.signatures.filter((s) => s.subFilter === 'ETSI.CAdES.detached');
    expect(approvals.length, pdfsig.output).toBe(2); // certification + the signer
    for (const s of approvals) expect(s.valid && s.trusted, s.raw).toBe(true);
    const openssl = opensslDocumentTimestamps(after, platformRoot + tsaPki.rootPem);
    expect(openssl).toHaveLength(2);
    for (const out of openssl) expect(out).toContain('Verification: OK');

    const trail = await call<{ events: { action: string; data?: Record<string, unknown> }[] }>('GET', `/v1/envelopes/${env.id}/audit`, {
      key,
    });
    const event = trail.body.events.find((e) => e.action === 'document.timestamp_renewed');
    expect(event?.data).toMatchObject({ documentId: doc.id, previousSha256: doc.sha256, sha256: next.sha256 });

    // The verify report shows the chain: the first timestamp (test TSA, trusted by this tenant) and the renewal (platform TSA).
    await call('PUT', '/v1/verify/trust-roots', { key, json: { certificatesPem: tsaPki.rootPem } });
    const report = await call<{ verdict: string; documentTimestamps: { tsa: string; verdict: string; tsaCertificateNotAfter: string }[] }>(
      'POST',
      '/v1/verify',
      { key, body: Buffer.from(after), headers: { 'content-type': 'application/pdf' } },
    );
    // The test CA publishes no CRL, so the first link's revocation status is unknown (indeterminate), never invalid.
    expect(report.body.documentTimestamps.map((t) => t.verdict)).toEqual(['indeterminate', 'valid']);
    expect(report.body.documentTimestamps[0]?.tsa).toContain('Test TSA');
    expect(Date.parse(report.body.documentTimestamps[1]?.tsaCertificateNotAfter ?? '')).toBeGreaterThan(
      Date.parse(report.body.documentTimestamps[0]?.tsaCertificateNotAfter ?? ''),
    );

    // A second sweep finds nothing more to do for it.
    await runScheduler('retention', new Date(Date.now() + DAY));
    expect((await call<Env>('GET', `/v1/envelopes/${env.id}`, { key })).body.documents[0]?.sha256).toBe(next.sha256);
  });
});
