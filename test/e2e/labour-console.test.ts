import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { a11yProblems } from '../support/a11y.js';
import { baseUrl, call, FIXTURES, latestLinkToken, uniqueEmail } from '../support/api.js';
import { dragField, launchBrowser, phoneContext, screenshotPath } from '../support/browser.js';
import { fillSignIn, tenantWithConsoleUser } from '../support/console.js';
import { signWith, workflowJson } from '../support/workflow.js';

const terms = (employee: string) => ({
  employer: { name: 'Công ty TNHH Dệt May', taxCode: '0312345678', representative: 'Trần Thị Bình', address: 'Thủ Đức, TP. HCM' },
  employee: { name: employee, idNumber: '079203004321', dateOfBirth: '2000-01-15', address: 'Hà Nội' },
  contractType: 'indefinite',
  startDate: '2026-12-01',
  jobTitle: 'Công nhân may',
  workplace: 'Thủ Đức, TP. HCM',
  salary: { amount: 9_000_000, currency: 'VND' },
});

/** A tenant with a console user (HR, a sender: password sign-in). */
const hrTenant = (name: string, hint: string) => tenantWithConsoleUser(name, hint, { role: 'sender' });
const signIn = async (page: Page, email: string) => {
  await page.goto(`${baseUrl()}/app`);
  await fillSignIn(page, email);
  await page.locator('#envelopes').waitFor();
};

describe('labour contracts in the console', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('lists every contract with its registration and national identifier, and shows it on the envelope', async () => {
    const tenant = await hrTenant('Công ty TNHH Dệt May', 'hr-labour');
    const key = tenant.apiKey;
    // The contract is signed here without identity proofing (the default, tested in labour-contracts.test.ts).
    expect((await call('PUT', '/v1/settings', { key, json: { labour: { identityRequired: false } } })).status).toBe(200);
    const worker = { name: 'Đặng Thị Hương', email: uniqueEmail('nld') };
    const boss = { name: 'Trần Thị Bình', email: uniqueEmail('nsdld'), order: 2 };
    const created = await call<{ id: string }>('POST', '/v1/envelopes', {
      key,
      json: workflowJson([worker, boss], { title: 'HĐLĐ – Đặng Thị Hương', labourContract: terms(worker.name) }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    expect((await call('POST', `/v1/envelopes/${id}/send`, { key })).status).toBe(200);
    expect((await signWith(await latestLinkToken(worker.email), worker.name)).status).toBe(200);
    expect((await signWith(await latestLinkToken(boss.email), boss.name)).status).toBe(200);
    let nationalId: string | undefined;
    await expect
      .poll(
        async () => {
          const e = await call<{ nationalId?: string }>('GET', `/v1/envelopes/${id}`, { key });
          nationalId = e.body.nationalId;
          return nationalId;
        },
        { timeout: 30_000, interval: 250 },
      )
      .toMatch(/^HDLD-/);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, tenant.email);

    await page.getByRole('link', { name: 'Hợp đồng lao động' }).click();
    const row = page.locator(`#labour tr[data-id="${id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('registered');
    expect(await row.textContent()).toContain(nationalId);
    expect(await row.textContent()).toContain('CCCD 079203004321');
    expect(await page.locator('#labour-counts').textContent()).toContain('1 Đã đăng ký');
    await page.screenshot({ path: screenshotPath('console-labour-list') });
    expect(await a11yProblems(page)).toEqual([]);

    await row.getByRole('link').click();
    await page.locator('#labour-contract').waitFor();
    expect(await page.locator('#labour-national-id').textContent()).toBe(nationalId);
    expect(await page.locator('#labour-contract').textContent()).toContain('Đã đăng ký');
    expect(await a11yProblems(page)).toEqual([]);

    // The new-envelope page carries the labour-contract fields; what it sends is validated by the server.
    await page.getByRole('link', { name: 'Tạo phong bì' }).click();
    await page.locator('#compose').waitFor();
    await page.getByLabel('Đây là hợp đồng lao động', { exact: false }).check();
    await page.locator('#lc-fields').waitFor();
    expect(await a11yProblems(page)).toEqual([]);
    const fill = async (label: string, value: string) => page.getByLabel(label, { exact: true }).fill(value);
    await fill('Tên người sử dụng lao động', 'Công ty TNHH Dệt May');
    await fill('Mã số thuế', '0312345678');
    await fill('Người đại diện', 'Trần Thị Bình');
    await fill('Địa chỉ công ty', 'Thủ Đức, TP. HCM');
    await fill('Họ tên người lao động', 'Lò Văn Sơn');
    await fill('Số CCCD (12 chữ số)', '01120300567'); // one digit short: the server names the field
    await fill('Ngày sinh', '02/09/1999');
    await fill('Địa chỉ người lao động', 'Sơn La');
    await fill('Ngày bắt đầu', '01/12/2026');
    await fill('Ngày kết thúc', '30/11/2027');
    await fill('Chức danh, công việc', 'Thợ cắt');
    await fill('Địa điểm làm việc', 'Thủ Đức');
    await fill('Mức lương (VND/tháng)', '8.500.000');
    await page.getByLabel('Tiêu đề phong bì').fill('HĐLĐ – Lò Văn Sơn');
    await page.locator('#env-files').setInputFiles(join(FIXTURES, 'hop-dong-lao-dong.pdf'));
    await expect.poll(() => page.locator('.page canvas').count(), { timeout: 30_000 }).toBe(2);
    const rows = page.locator('fieldset.recipient');
    await rows.nth(0).getByLabel('Họ và tên').fill('Lò Văn Sơn');
    await rows.nth(0).getByLabel('Email', { exact: true }).fill(uniqueEmail('son'));
    await page.getByRole('button', { name: 'Thêm người nhận' }).click();
    await rows.nth(1).getByLabel('Họ và tên').fill('Trần Thị Bình');
    await rows.nth(1).getByLabel('Email', { exact: true }).fill(uniqueEmail('binh'));
    await page.getByLabel('Đặt ô cho').selectOption({ index: 0 });
    await dragField(page, 'signature', 0, 2, 0.25, 0.8);
    await page.getByLabel('Đặt ô cho').selectOption({ index: 1 });
    await dragField(page, 'signature', 0, 2, 0.7, 0.8);
    await page.getByRole('button', { name: 'Gửi', exact: true }).click();
    // Checked in the page first (the server checks again and names the field: labour-contracts.test.ts).
    await expect.poll(() => page.locator('#lc-id-number-error').textContent()).toBe('Số CCCD phải gồm đúng 12 chữ số.');
    await fill('Số CCCD (12 chữ số)', '011203005678');
    await page.getByRole('button', { name: 'Gửi', exact: true }).click();
    await page.locator('#labour-contract').waitFor({ timeout: 60_000 });
    expect(await page.locator('#labour-contract').textContent()).toContain('CCCD 011203005678');
    await page.screenshot({ path: screenshotPath('console-labour-sent'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('on a 360 px phone: the labour card checks its fields in Vietnamese before sending; the built-in template makes a labour contract', async () => {
    const tenant = await hrTenant('Công ty TNHH May Mặc', 'hr-phone');
    const context = await phoneContext(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const posted: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/app/api/envelopes')) posted.push(r.url());
    });
    await signIn(page, tenant.email);

    // The new-envelope page: its labour card says what is wrong, in Vietnamese, next to each field.
    await page.goto(`${baseUrl()}/app#/new`);
    await page.locator('#compose').waitFor();
    await page.getByLabel('Tiêu đề phong bì').fill('HĐLĐ – Lò Văn Sơn');
    const rows = page.locator('fieldset.recipient');
    await rows.nth(0).getByLabel('Họ và tên').fill('Lò Văn Sơn');
    await rows.nth(0).getByLabel('Email', { exact: true }).fill(uniqueEmail('son'));
    await page.getByLabel('Đây là hợp đồng lao động', { exact: false }).check();
    const fill = async (label: string, value: string) => page.getByLabel(label, { exact: true }).fill(value);
    await fill('Mã số thuế', '031234567');
    await fill('Số CCCD (12 chữ số)', '01120300567');
    await fill('Ngày sinh', '31/02/1999');
    await fill('Ngày bắt đầu', '01/12/2026');
    await fill('Ngày kết thúc', '01/01/2030');
    await fill('Mức lương (VND/tháng)', 'tám triệu');
    await page.getByRole('button', { name: 'Gửi', exact: true }).click();
    const errorOf = (id: string) => page.locator(`#lc-${id}-error`).textContent();
    await expect.poll(() => errorOf('id-number')).toBe('Số CCCD phải gồm đúng 12 chữ số.');
    expect(await errorOf('tax-code')).toContain('Mã số thuế gồm 10 chữ số');
    expect(await errorOf('dob')).toContain('Ngày không hợp lệ');
    expect(await errorOf('end')).toBe('Hợp đồng xác định thời hạn không được dài quá 36 tháng kể từ ngày bắt đầu.');
    expect(await errorOf('salary')).toBe('Mức lương phải là số tiền lớn hơn 0 (đồng).');
    expect(await errorOf('employer-name')).toBe('Vui lòng điền mục này.');
    expect(await page.locator('#lc-id-number').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#compose [role=alert]').first().textContent()).toContain('Thông tin hợp đồng lao động chưa hợp lệ');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: screenshotPath('console-labour-phone-invalid'), fullPage: true });
    expect(await a11yProblems(page)).toEqual([]);
    await fill('Số CCCD (12 chữ số)', '011203005678');
    await fill('Ngày kết thúc', '30/11/2027');
    await page.getByRole('button', { name: 'Gửi', exact: true }).click();
    await expect.poll(() => errorOf('id-number')).toBe('');
    expect(await page.locator('#lc-end-error').isHidden()).toBe(true);
    expect(posted).toEqual([]); // nothing was sent while the card had errors

    // The ready-made labour-contract template every tenant has: one CSV row → one labour contract.
    await page.goto(`${baseUrl()}/app#/templates`);
    await page.getByRole('button', { name: 'Hợp đồng lao động (mẫu có sẵn)' }).click();
    const columns = ((await page.locator('#bulk-columns').textContent()) ?? '').split(',');
    const worker = uniqueEmail('nld-phone');
    const values: Record<string, string> = {
      nguoi_lao_dong_name: 'Lò Văn Sơn',
      nguoi_lao_dong_email: worker,
      nguoi_su_dung_lao_dong_name: 'Trần Thị Bình',
      nguoi_su_dung_lao_dong_email: uniqueEmail('nsdld-phone'),
      ten_cong_ty: 'Công ty TNHH May Mặc',
      mst: '0312345678',
      dai_dien: 'Trần Thị Bình',
      dia_chi_cong_ty: 'Thủ Đức, TP. HCM',
      ho_ten: 'Lò Văn Sơn',
      ngay_sinh: '02/09/1999',
      cccd: '011203005678',
      dia_chi: 'Sơn La',
      tu_ngay: '01/12/2026',
      den_ngay: '30/11/2027',
      chuc_danh: 'Thợ cắt',
      noi_lam_viec: 'Thủ Đức',
      luong: '8500000',
      gio_lam_viec: '8 giờ/ngày',
    };
    expect(columns.sort()).toEqual(Object.keys(values).sort());
    await page.locator('#bulk-csv').setInputFiles({
      name: 'cong-nhan.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${columns.join(',')}\n${columns.map((c) => `"${values[c]}"`).join(',')}\n`, 'utf8'),
    });
    await page.getByRole('button', { name: 'Gửi hàng loạt' }).click();
    await page.locator('#bulk-done').waitFor({ timeout: 60_000 });
    const progress = (await page.locator('#bulk-status').textContent()) ?? '';
    expect(progress).toContain('1/1 ✓ · 0 ✗');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: screenshotPath('console-labour-phone-template'), fullPage: true });
    const made = await call<{ items: { id: string; title: string }[] }>('GET', '/v1/envelopes?limit=10', { key: tenant.apiKey });
    const id = made.body.items.find((e) => e.title === 'Hợp đồng lao động – Lò Văn Sơn')?.id as string;
    const envelope = await call<{ status: string; labourContract: Record<string, unknown> }>('GET', `/v1/envelopes/${id}`, {
      key: tenant.apiKey,
    });
    expect(envelope.body.status).toBe('sent');
    expect(envelope.body.labourContract).toMatchObject({
      act: 'contract',
      employee: { name: 'Lò Văn Sơn', idNumber: '011203005678' },
      employer: { taxCode: '0312345678' },
      identification: { required: true, decidedBy: 'default' },
    });
    expect(errors).toEqual([]);
    await context.close();
  });
});
