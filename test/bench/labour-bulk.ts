import { LABOUR_TEMPLATE_ID } from '../../shared/labour/builtin-template.js';
import { startServer } from '../support/start-server.js';
import { benchApi, timeBulk } from './bulk.js';

/** One worker's CSV row for the built-in labour-contract template (a valid, distinct CCCD per row). */
export const labourCsvRow = (i: number): Record<string, string> => ({
  nguoi_lao_dong_name: `Công nhân ${i + 1}`,
  nguoi_lao_dong_email: `cn${i + 1}.${Date.now().toString(36)}@bench.vn`,
  nguoi_su_dung_lao_dong_name: 'Trần Thị Bình',
  nguoi_su_dung_lao_dong_email: 'nhansu@congty.example.vn',
  ho_ten: `Công nhân ${i + 1}`,
  ten_cong_ty: 'Công ty TNHH May Mặc Bình Dương',
  mst: '3701234567',
  dia_chi_cong_ty: 'KCN Sóng Thần, Dĩ An, Bình Dương',
  dai_dien: 'Trần Thị Bình',
  ngay_sinh: '12/05/1999',
  cccd: `074199${String(i).padStart(6, '0')}`,
  dia_chi: `Số ${i + 1}, Thuận An, Bình Dương`,
  tu_ngay: '01/12/2026',
  den_ngay: '30/11/2027',
  chuc_danh: 'Công nhân may',
  noi_lam_viec: 'Dĩ An, Bình Dương',
  luong: '8.500.000',
  gio_lam_viec: '8 giờ/ngày, 48 giờ/tuần',
});

/** A bulk CSV of `rows` workers for the built-in template, columns in the template's order. */
export const labourCsv = (columns: readonly string[], rows: number): string => {
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const lines = Array.from({ length: rows }, (_, i) => {
    const row = labourCsvRow(i);
    return columns.map((c) => quote(row[c] ?? '')).join(',');
  });
  return `${columns.join(',')}\n${lines.join('\n')}\n`;
};

/** The CSV columns a template needs (role slots without a fixed recipient, then its merge fields). */
export const csvColumns = (t: { roles: { key: string; role: string; recipient?: unknown }[]; mergeFields: string[] }) => [
  ...t.roles.filter((r) => !r.recipient && r.role !== 'seal').flatMap((r) => [`${r.key}_name`, `${r.key}_email`]),
  ...t.mergeFields,
];

/**
 * 500 workers (issue 13): a bulk CSV for the built-in labour-contract template, each row a labour
 * contract rendered, validated (CCCD, tax code, dates), stored, certified and emailed; timed until
 * the job is completed, then every envelope is checked to be a labour contract with its own CCCD.
 */
export const labourBulkBench = async (rows: number): Promise<void> => {
  // Parties are identified by default (Decree 337), which needs an eKYC or VNeID provider; this server
  // has none, and the bench times creating the contracts, not the workers' later proofing.
  const server = await startServer({ KYSO_LABOUR_IDENTITY_REQUIRED: '0' });
  try {
    const api = benchApi(server);
    const template = await api<{ roles: { key: string; role: string }[]; mergeFields: string[] }>(
      'GET',
      `/v1/templates/${LABOUR_TEMPLATE_ID}`,
    );
    const r = await timeBulk(server, LABOUR_TEMPLATE_ID, labourCsv(csvColumns(template), rows), rows);
    const job = await api<{ envelopes?: { envelopeId?: string }[] }>('GET', `/v1/bulk/${r.jobId}?include=envelopes`);
    const ids = (job.envelopes ?? []).map((e) => e.envelopeId).filter((x): x is string => !!x);
    const cccds = new Set<string>();
    for (const id of ids) {
      const e = await api<{ labourContract?: { employee: { idNumber: string } } }>('GET', `/v1/envelopes/${id}`);
      if (e.labourContract) cccds.add(e.labourContract.employee.idNumber);
    }
    console.log(
      `\nLabour bulk: ${rows} workers → ${cccds.size} labour contracts (distinct CCCDs) in ${r.seconds.toFixed(1)} s end to end ` +
        `(${(rows / r.seconds).toFixed(1)} rows/s; 202 after ${r.acceptedMs.toFixed(0)} ms; done ${r.done}, failed ${r.failed})`,
    );
    if (cccds.size !== rows) throw new Error(`expected ${rows} labour contracts, found ${cccds.size}`);
  } finally {
    await server.stop();
  }
};
