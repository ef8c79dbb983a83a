import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { a11yProblems } from '../support/a11y.js';
import { baseUrl, call, createTenant, FIXTURES, latestLinkToken, uniqueEmail } from '../support/api.js';
import { dragField, launchBrowser, screenshotPath } from '../support/browser.js';
import { signWith, workflowJson } from '../support/workflow.js';

const PASSWORD = 'mật khẩu đủ dài 123';

const terms = (employee: string) => ({
  employer: { name: 'Công ty TNHH Dệt May', taxCode: '0312345678', representative: 'Trần Thị Bình', address: 'Thủ Đức, TP. HCM' },
  employee: { name: employee, idNumber: '079203004321', dateOfBirth: '2000-01-15', address: 'Hà Nội' },
  contractType: 'indefinite',
  startDate: '2026-12-01',
  jobTitle: 'Công nhân may',
  workplace: 'Thủ Đức, TP. HCM',
  salary: { amount: 9_000_000, currency: 'VND' },
});

describe('labour contracts in the console', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('lists every contract with its registration and national identifier, and shows it on the envelope', async () => {
    const tenant = await createTenant('Công ty TNHH Dệt May');
    const email = uniqueEmail('hr-labour');
    const user = await call('POST', `/admin/tenants/${tenant.tenantId}/users`, {
      key: inject('adminKey'),
      json: { email, name: 'Phòng Nhân sự', password: PASSWORD, role: 'sender' },
    });
    expect(user.status).toBe(201);
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
    await page.goto(`${baseUrl()}/app`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Mật khẩu').fill(PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.locator('#envelopes').waitFor();

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
    await expect
      .poll(() => page.locator('#compose [role=alert], #compose .error').first().textContent())
      .toContain('labourContract.employee.idNumber');
    await fill('Số CCCD (12 chữ số)', '011203005678');
    await page.getByRole('button', { name: 'Gửi', exact: true }).click();
    await page.locator('#labour-contract').waitFor({ timeout: 60_000 });
    expect(await page.locator('#labour-contract').textContent()).toContain('CCCD 011203005678');
    await page.screenshot({ path: screenshotPath('console-labour-sent'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});
