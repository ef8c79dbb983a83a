import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the national e-labour-contract platform, speaking the PROVISIONAL protocol
 * of functions/labour/provisional-labour-registry.ts (the Ministry's spec is not public) over
 * HTTP on 127.0.0.1. Used by the tests and started by `npm start` in local mode.
 *
 * It checks what a real registry would: the bearer token (OAuth2 client credentials, tokens
 * expire), the body (required fields, CCCD and tax code formats, each document's SHA-256
 * against its bytes and a PDF header, an audit log, both parties), the original of an
 * appendix or termination (must be registered here, not terminated). A repeated
 * `Idempotency-Key` / `maGiaoDich` is answered with the first answer (`trungLap: true`):
 * one identifier per contract, ever.
 *
 * Failure modes, set with POST /__control (JSON, merged into the behaviour):
 *   outage: true             every call answers 503
 *   failNext: n              the next n submissions answer 503
 *   slowMs: n                every answer waits n ms first (the client's timeout must fire)
 *   asynchronous: true       submissions answer 202 DANG_XU_LY; the status poll registers them
 *   rejectTaxCodes: [...]    employers the platform does not know: 422 with rejectReason
 *   tokenTtlSeconds: n       access-token lifetime
 *   revokeTokens: true       forgets every token issued so far (a platform restart): clients must log in again
 * GET /__received lists the submissions received (documents as name, SHA-256 and size).
 */
export interface LabourPlatformBehaviour {
  outage: boolean;
  failNext: number;
  slowMs: number;
  asynchronous: boolean;
  rejectTaxCodes: string[];
  rejectReason: string;
  tokenTtlSeconds: number;
  revokeTokens?: boolean;
}

export interface ReceivedSubmission {
  readonly at: string;
  readonly reference: string;
  readonly act: string;
  readonly relatesTo?: string;
  readonly employeeIdNumber?: string;
  readonly employerTaxCode?: string;
  readonly documents: readonly { name: string; sha256: string; bytes: number }[];
  readonly auditEvents: number;
  readonly parties: readonly string[];
  readonly converted: boolean;
  /** What we answered: registered (with nationalId), processing, rejected (with reason), or a duplicate. */
  readonly outcome: string;
  readonly nationalId?: string;
}

const DEFAULTS: LabourPlatformBehaviour = {
  outage: false,
  failNext: 0,
  slowMs: 0,
  asynchronous: false,
  rejectTaxCodes: [],
  rejectReason: 'Người sử dụng lao động chưa có tài khoản trên Nền tảng hợp đồng lao động điện tử.',
  tokenTtlSeconds: 300,
};

type Wire = Record<string, unknown> & {
  maGiaoDich?: string;
  loai?: string;
  maHopDongGoc?: string;
  thongTinChinh?: {
    nguoiSuDungLaoDong?: { maSoThue?: string; ten?: string };
    nguoiLaoDong?: { soCccd?: string; hoTen?: string; ngaySinh?: string };
    loaiHopDong?: string;
    tuNgay?: string;
  };
  taiLieu?: { ten?: string; sha256?: string; noiDungBase64?: string }[];
  nhatKyGiaoDich?: unknown[];
  dinhDanhCacBen?: { ben?: string }[];
  chuyenDoi?: unknown;
};

export const startLabourPlatformTestServer = async (options: { clientId?: string; clientSecret?: string } = {}) => {
  const clientId = options.clientId ?? 'kyso-local';
  const clientSecret = options.clientSecret ?? randomBytes(12).toString('hex');
  let behaviour: LabourPlatformBehaviour = { ...DEFAULTS, rejectTaxCodes: [] };
  const tokens = new Map<string, number>();
  /** By maGiaoDich: the first answer (status, body) — a duplicate gets it again. */
  const answers = new Map<string, { status: number; body: Record<string, unknown> }>();
  /** By maHoSo: the case and its state. */
  const cases = new Map<
    string,
    {
      reference: string;
      state: 'DANG_XU_LY' | 'DA_DANG_KY' | 'TU_CHOI';
      nationalId?: string;
      lyDo?: string;
      act: string;
      relatesTo?: string;
    }
  >();
  /** By national id: registered contracts, and whether they were terminated. */
  const registered = new Map<string, { act: string; terminated: boolean }>();
  const received: ReceivedSubmission[] = [];
  let sequence = 0;

  const read = async (req: IncomingMessage, limit = 64 * 1024 * 1024) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > limit) throw new Error('body too large');
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  };
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, ma: string, thongDiep: string, truong?: string) =>
    send(res, status, { loi: { ma, thongDiep, ...(truong ? { truong } : {}) } });

  const newNationalId = () => `HDLD-${new Date().getUTCFullYear()}-${String(++sequence).padStart(8, '0')}`;

  const register = (c: { act: string; relatesTo?: string }) => {
    const nationalId = newNationalId();
    registered.set(nationalId, { act: c.act, terminated: false });
    const original = c.relatesTo ? registered.get(c.relatesTo) : undefined;
    if (original && c.act === 'CHAM_DUT') original.terminated = true;
    return nationalId;
  };

  /** What a real registry would refuse outright (400), field by field. */
  const validate = (w: Wire): [string, string] | undefined => {
    if (!w.maGiaoDich) return ['maGiaoDich', 'Thiếu mã giao dịch.'];
    if (!['HOP_DONG', 'PHU_LUC', 'CHAM_DUT'].includes(String(w.loai))) return ['loai', 'Loại văn bản không hợp lệ.'];
    const t = w.thongTinChinh;
    if (!/^\d{12}$/.test(t?.nguoiLaoDong?.soCccd ?? '')) return ['thongTinChinh.nguoiLaoDong.soCccd', 'Số CCCD phải có 12 chữ số.'];
    if (!/^\d{10}(-\d{3})?$/.test(t?.nguoiSuDungLaoDong?.maSoThue ?? ''))
      return ['thongTinChinh.nguoiSuDungLaoDong.maSoThue', 'Mã số thuế không hợp lệ.'];
    if (!t?.nguoiLaoDong?.hoTen || !t.tuNgay || !t.loaiHopDong) return ['thongTinChinh', 'Thiếu thông tin chính của hợp đồng.'];
    if (!w.taiLieu?.length) return ['taiLieu', 'Thiếu tệp hợp đồng.'];
    for (const [i, d] of w.taiLieu.entries()) {
      const bytes = Buffer.from(d.noiDungBase64 ?? '', 'base64');
      if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') return [`taiLieu[${i}]`, 'Tệp không phải PDF.'];
      if (createHash('sha256').update(bytes).digest('hex') !== d.sha256) return [`taiLieu[${i}].sha256`, 'Mã băm không khớp nội dung tệp.'];
    }
    if (!w.nhatKyGiaoDich?.length) return ['nhatKyGiaoDich', 'Thiếu nhật ký giao dịch.'];
    const sides = new Set((w.dinhDanhCacBen ?? []).map((p) => p.ben));
    if (!sides.has('NGUOI_LAO_DONG') || !sides.has('NGUOI_SU_DUNG_LAO_DONG'))
      return ['dinhDanhCacBen', 'Thiếu thông tin định danh của các bên.'];
    if (w.loai !== 'HOP_DONG' && !w.maHopDongGoc) return ['maHopDongGoc', 'Phụ lục / chấm dứt phải dẫn chiếu hợp đồng gốc.'];
    return undefined;
  };

  const authorised = (req: IncomingMessage) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expiresAt = token ? tokens.get(token) : undefined;
    return expiresAt !== undefined && expiresAt > Date.now();
  };

  const submit = async (req: IncomingMessage, res: ServerResponse) => {
    let w: Wire;
    try {
      w = JSON.parse(await read(req)) as Wire;
    } catch {
      return error(res, 400, 'JSON_KHONG_HOP_LE', 'Nội dung không phải JSON hợp lệ.');
    }
    const reference = String(req.headers['idempotency-key'] ?? w.maGiaoDich ?? '');
    const summary = (outcome: string, nationalId?: string): ReceivedSubmission => ({
      at: new Date().toISOString(),
      reference,
      act: String(w.loai),
      ...(w.maHopDongGoc ? { relatesTo: w.maHopDongGoc } : {}),
      ...(w.thongTinChinh?.nguoiLaoDong?.soCccd ? { employeeIdNumber: w.thongTinChinh.nguoiLaoDong.soCccd } : {}),
      ...(w.thongTinChinh?.nguoiSuDungLaoDong?.maSoThue ? { employerTaxCode: w.thongTinChinh.nguoiSuDungLaoDong.maSoThue } : {}),
      documents: (w.taiLieu ?? []).map((d) => ({
        name: String(d.ten),
        sha256: String(d.sha256),
        bytes: Buffer.from(d.noiDungBase64 ?? '', 'base64').length,
      })),
      auditEvents: w.nhatKyGiaoDich?.length ?? 0,
      parties: (w.dinhDanhCacBen ?? []).map((p) => String(p.ben)),
      converted: !!w.chuyenDoi,
      outcome,
      ...(nationalId ? { nationalId } : {}),
    });
    const first = answers.get(reference);
    // A rejected submission may be sent again once fixed; anything else is answered as before.
    if (first && first.body.trangThai !== 'TU_CHOI') {
      received.push(summary('duplicate', first.body.maDinhDanh as string | undefined));
      return send(res, 200, { ...first.body, trungLap: true });
    }
    const invalid = validate(w);
    if (invalid) {
      received.push(summary(`invalid ${invalid[0]}`));
      return error(res, 400, 'DU_LIEU_KHONG_HOP_LE', invalid[1], invalid[0]);
    }
    const caseId = `HS-${randomBytes(6).toString('hex')}`;
    const reject = (lyDo: string, status = 422) => {
      cases.set(caseId, { reference, state: 'TU_CHOI', lyDo, act: String(w.loai) });
      const body = { maHoSo: caseId, trangThai: 'TU_CHOI', lyDo };
      answers.set(reference, { status, body });
      received.push(summary(`rejected: ${lyDo}`));
      return error(res, status, 'TU_CHOI', lyDo);
    };
    if (w.maHopDongGoc) {
      const original = registered.get(w.maHopDongGoc);
      if (!original) return reject(`Không tìm thấy hợp đồng gốc ${w.maHopDongGoc}.`);
      if (original.terminated) return reject(`Hợp đồng gốc ${w.maHopDongGoc} đã chấm dứt.`);
    }
    const taxCode = w.thongTinChinh?.nguoiSuDungLaoDong?.maSoThue ?? '';
    if (behaviour.rejectTaxCodes.includes(taxCode)) return reject(behaviour.rejectReason);
    const act = String(w.loai);
    if (behaviour.asynchronous) {
      cases.set(caseId, { reference, state: 'DANG_XU_LY', act, ...(w.maHopDongGoc ? { relatesTo: w.maHopDongGoc } : {}) });
      const body = { maHoSo: caseId, trangThai: 'DANG_XU_LY' };
      answers.set(reference, { status: 202, body });
      received.push(summary('processing'));
      return send(res, 202, body);
    }
    const nationalId = register({ act, ...(w.maHopDongGoc ? { relatesTo: w.maHopDongGoc } : {}) });
    cases.set(caseId, { reference, state: 'DA_DANG_KY', nationalId, act });
    const body = { maHoSo: caseId, trangThai: 'DA_DANG_KY', maDinhDanh: nationalId };
    answers.set(reference, { status: 201, body });
    received.push(summary('registered', nationalId));
    return send(res, 201, body);
  };

  const change = (b: Partial<LabourPlatformBehaviour>) => {
    const { revokeTokens, ...rest } = b;
    if (revokeTokens) tokens.clear();
    behaviour = { ...behaviour, ...rest };
  };

  const server = createServer((req, res) => {
    const handle = async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/__control' && req.method === 'POST') {
        change(JSON.parse((await read(req)) || '{}') as Partial<LabourPlatformBehaviour>);
        return send(res, 200, behaviour);
      }
      if (url.pathname === '/__reset' && req.method === 'POST') {
        behaviour = { ...DEFAULTS, rejectTaxCodes: [] };
        return send(res, 200, behaviour);
      }
      if (url.pathname === '/__received' && req.method === 'GET') return send(res, 200, { received });
      if (behaviour.slowMs > 0) await new Promise((r) => setTimeout(r, behaviour.slowMs));
      if (behaviour.outage) return error(res, 503, 'BAO_TRI', 'Hệ thống đang bảo trì.');
      if (url.pathname === '/oauth/token' && req.method === 'POST') {
        const form = new URLSearchParams(await read(req, 64 * 1024));
        if (
          form.get('grant_type') !== 'client_credentials' ||
          form.get('client_id') !== clientId ||
          form.get('client_secret') !== clientSecret
        ) {
          return send(res, 401, { error: 'invalid_client' });
        }
        const token = randomBytes(24).toString('base64url');
        tokens.set(token, Date.now() + behaviour.tokenTtlSeconds * 1000);
        return send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: behaviour.tokenTtlSeconds });
      }
      if (!authorised(req)) return error(res, 401, 'CHUA_XAC_THUC', 'Mã truy cập không hợp lệ hoặc đã hết hạn.');
      if (url.pathname === '/api/v1/hop-dong' && req.method === 'POST') {
        if (behaviour.failNext > 0) {
          behaviour.failNext--;
          await read(req);
          return error(res, 503, 'QUA_TAI', 'Hệ thống đang quá tải, vui lòng thử lại sau.');
        }
        return submit(req, res);
      }
      const status = /^\/api\/v1\/ho-so\/([A-Za-z0-9-]+)$/.exec(url.pathname);
      if (status && req.method === 'GET') {
        const c = cases.get(status[1] as string);
        if (!c) return error(res, 404, 'KHONG_TIM_THAY', 'Không tìm thấy hồ sơ.');
        if (c.state === 'DANG_XU_LY') {
          // The registry finished processing: the poll finds it registered.
          c.state = 'DA_DANG_KY';
          c.nationalId = register(c);
          answers.set(c.reference, { status: 201, body: { maHoSo: status[1], trangThai: 'DA_DANG_KY', maDinhDanh: c.nationalId } });
        }
        return send(res, 200, {
          maHoSo: status[1],
          trangThai: c.state,
          ...(c.nationalId ? { maDinhDanh: c.nationalId } : {}),
          ...(c.lyDo ? { lyDo: c.lyDo } : {}),
        });
      }
      return error(res, 404, 'KHONG_TIM_THAY', 'Không có đường dẫn này.');
    };
    handle().catch(() => {
      if (!res.headersSent) error(res, 500, 'LOI', 'Lỗi hệ thống.');
      else res.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    clientId,
    clientSecret,
    received: () => received,
    set: change,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
};
