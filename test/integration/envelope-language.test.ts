import { describe, expect, it } from 'vitest';
import { call, latestLinkToken, mailsTo, uniqueEmail } from '../support/api.js';
import { appearanceText, pdfToText } from '../support/validators.js';
import { createAndSend, devKey, signWith } from '../support/workflow.js';

/** The envelope's language decides its emails (subject, and which language comes first), its stamps and its certificate. */
describe('envelope language: emails, stamps, certificate', () => {
  it('an English envelope: English invitation and completion emails, "Signed by" stamp, certificate in English first', async () => {
    const email = uniqueEmail('lang-en');
    const title = 'Service agreement';
    const env = await createAndSend(devKey(), [{ name: 'Nguyễn Văn An', email }], { title, language: 'en' });
    const [invitation] = await mailsTo(email);
    expect(invitation?.subject).toBe(`Please sign: ${title}`);
    expect(invitation?.text.startsWith('Hello Nguyễn Văn An,\n')).toBe(true);
    expect(invitation?.text).toMatch(/Open this link to sign: http\S+\/s\/[A-Za-z0-9_-]+/);
    // The Vietnamese version follows below the line, shorter.
    expect(invitation?.text.indexOf('---')).toBeGreaterThan(invitation?.text.indexOf('invites you') ?? 0);
    expect(invitation?.html).toContain('<html lang="en">');
    expect(invitation?.html).toContain('>Review and sign</a>');

    expect((await signWith(await latestLinkToken(email), 'Nguyễn Văn An')).status).toBe(200);
    expect((await mailsTo(email)).map((m) => m.subject)).toEqual([`Please sign: ${title}`, `Completed: ${title}`]);
    const doc = await call<Uint8Array>('GET', `/v1/envelopes/${env.id}/documents/${env.documents[0]?.id}`, { key: devKey() });
    const stamp = appearanceText(doc.body);
    // The stamp sits over the page's own text, so pdftotext interleaves them: its words are checked one by one.
    expect(stamp).toContain('Signed by:');
    expect(stamp).toMatch(/Date: \d\d\/\d\d\/\d{4} \d\d:\d\d \(GMT\+7\)/);
    expect(stamp).not.toMatch(/Ký bởi|Ngày ký/);
    const cert = pdfToText((await call<Uint8Array>('GET', `/v1/envelopes/${env.id}/certificate`, { key: devKey() })).body);
    expect(cert.indexOf('CERTIFICATE OF COMPLETION')).toBeGreaterThanOrEqual(0);
    expect(cert.indexOf('CERTIFICATE OF COMPLETION')).toBeLessThan(cert.indexOf('Chứng nhận hoàn tất'));
    expect(cert).toContain('Title / Tiêu đề');
  });

  it('a Vietnamese envelope (the default): Vietnamese emails with their diacritics, "Ký bởi" stamp; voided notice in Vietnamese', async () => {
    const email = uniqueEmail('lang-vi');
    const other = uniqueEmail('lang-vi-2');
    const title = 'Hợp đồng cung cấp dịch vụ';
    const env = await createAndSend(
      devKey(),
      [
        { name: 'Trần Thị Bình', email },
        { name: 'Lê Văn Cường', email: other },
      ],
      { title },
    );
    const [invitation] = await mailsTo(email);
    expect(invitation?.subject).toBe(`Yêu cầu ký: ${title}`);
    expect(invitation?.text.startsWith('Xin chào Trần Thị Bình,\n')).toBe(true);
    expect(invitation?.text).toContain(`mời bạn xem và ký tài liệu "${title}".`);
    expect(invitation?.html).toContain('<html lang="vi">');
    expect(invitation?.html).toContain('>Xem và ký</a>');

    expect((await signWith(await latestLinkToken(email), 'Trần Thị Bình')).status).toBe(200);
    const doc = await call<Uint8Array>('GET', `/v1/envelopes/${env.id}/documents/${env.documents[0]?.id}`, { key: devKey() });
    const stamp = appearanceText(doc.body);
    expect(stamp).toContain('Ký bởi:');
    expect(stamp).toMatch(/Ngày ký: \d\d\/\d\d\/\d{4} \d\d:\d\d \(GMT\+7\)/);
    expect(stamp).not.toMatch(/Signed by|Date:/);

    expect((await call('POST', `/v1/envelopes/${env.id}/void`, { key: devKey(), json: { reason: 'Sai địa chỉ' } })).status).toBe(200);
    const voided = (await mailsTo(other)).at(-1);
    expect(voided?.subject).toBe(`Đã hủy: ${title}`);
    expect(voided?.text).toContain(`đã hủy "${title}". Lý do: Sai địa chỉ`);
  });
});
