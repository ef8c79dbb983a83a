/**
 * ⚠ PROVISIONAL WIRE FORMAT ⚠
 *
 * The Ministry of Home Affairs has not published the technical connection spec of the
 * national e-labour-contract platform (Decree 337/2025/NĐ-CP, Circular 08/2026/TT-BNV). This
 * file is the ONLY place that knows how we talk to it; everything here — paths, field names,
 * status words, the token endpoint — is our guess, shaped after other Vietnamese government
 * APIs (OAuth2 client credentials, JSON with Vietnamese field names). When the spec is handed
 * over, rewrite this adapter and its test server (test/support/labour-platform-test-server.ts)
 * and nothing else: the domain speaks only the LabourContractRegistry port.
 *
 *   POST /oauth/token              grant_type=client_credentials, client_id, client_secret → { access_token, expires_in }
 *   POST /api/v1/hop-dong          Idempotency-Key: <our reference>; JSON below
 *        201 { maHoSo, trangThai: "DA_DANG_KY", maDinhDanh }        registered
 *        202 { maHoSo, trangThai: "DANG_XU_LY" }                    accepted, poll
 *        200 { …, trungLap: true }                                  duplicate: the first answer again
 *        400 | 422 { loi: { ma, thongDiep, truong? } }              rejected (validation / business rule)
 *        401 → new token, once; 429, 5xx, timeout → try later
 *   GET  /api/v1/ho-so/{maHoSo}    { maHoSo, trangThai: DANG_XU_LY | DA_DANG_KY | TU_CHOI, maDinhDanh?, lyDo? }
 */
import {
  type LabourContractRegistry,
  type LabourSubmission,
  type RegistryAnswer,
  RegistryUnavailableError,
} from '../../shared/labour/ports.js';
import { readSecret, type SecretSource } from '../aws/admin-key-secret.js';

export interface ProvisionalRegistryOptions {
  readonly baseUrl: string;
  readonly clientId: string;
  /** The client secret, or where to get it (the deployed stack: Secrets Manager, read once per container). */
  readonly clientSecret: SecretSource;
  readonly timeoutMs?: number;
  /** The outbound fetch (injected so the deployment's guarded fetch can be used). */
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

const ACT = { contract: 'HOP_DONG', appendix: 'PHU_LUC', termination: 'CHAM_DUT' } as const;

/** Our submission in the provisional wire format. */
export const toWire = (s: LabourSubmission) => ({
  maGiaoDich: s.reference,
  loai: ACT[s.act],
  ...(s.relatesTo ? { maHopDongGoc: s.relatesTo } : {}),
  ...(s.effectiveDate ? { ngayHieuLuc: s.effectiveDate } : {}),
  ...(s.summary ? { noiDung: s.summary } : {}),
  thongTinChinh: {
    nguoiSuDungLaoDong: {
      ten: s.terms.employer.name,
      maSoThue: s.terms.employer.taxCode,
      nguoiDaiDien: s.terms.employer.representative,
      diaChi: s.terms.employer.address,
    },
    nguoiLaoDong: {
      hoTen: s.terms.employee.name,
      soCccd: s.terms.employee.idNumber,
      ngaySinh: s.terms.employee.dateOfBirth,
      diaChi: s.terms.employee.address,
    },
    loaiHopDong: s.terms.contractType === 'indefinite' ? 'KHONG_XAC_DINH_THOI_HAN' : 'XAC_DINH_THOI_HAN',
    tuNgay: s.terms.startDate,
    ...(s.terms.endDate ? { denNgay: s.terms.endDate } : {}),
    chucDanh: s.terms.jobTitle,
    diaDiemLamViec: s.terms.workplace,
    mucLuong: { soTien: s.terms.salary.amount, donVi: s.terms.salary.currency },
    ...(s.terms.workingHours ? { thoiGioLamViec: s.terms.workingHours } : {}),
  },
  ...(s.conversion
    ? {
        chuyenDoi: {
          nguoiChuyenDoi: s.conversion.convertedBy,
          thoiDiemChuyenDoi: s.conversion.convertedAt,
          banGoc: s.conversion.originalReference,
          ...(s.conversion.originalSignedAt ? { ngayKyBanGoc: s.conversion.originalSignedAt } : {}),
        },
      }
    : {}),
  thoiDiemHoanThanh: s.completedAt,
  taiLieu: s.documents.map((d) => ({ ten: d.name, sha256: d.sha256, noiDungBase64: Buffer.from(d.pdf).toString('base64') })),
  nhatKyGiaoDich: s.auditLog.map((a) => ({
    stt: a.seq,
    thoiDiem: a.at,
    hanhDong: a.action,
    chuThe: a.actor.type,
    ...(a.ip ? { ip: a.ip } : {}),
    ...(a.data ? { duLieu: a.data } : {}),
    bamTruoc: a.prevHash,
    bam: a.hash,
  })),
  dinhDanhCacBen: s.parties.map((p) => ({
    ben: p.party === 'employee' ? 'NGUOI_LAO_DONG' : 'NGUOI_SU_DUNG_LAO_DONG',
    ten: p.name,
    soDinhDanh: p.identifier,
    phuongThuc: p.method,
    ...(p.signedAt ? { thoiDiemKy: p.signedAt } : {}),
    ...(p.evidence ? { bangChung: p.evidence } : {}),
  })),
});

interface WireStatus {
  maHoSo?: string;
  trangThai?: string;
  maDinhDanh?: string;
  lyDo?: string;
  loi?: { ma?: string; thongDiep?: string; truong?: string };
}

const fromWire = (body: WireStatus): RegistryAnswer => {
  const submissionId = body.maHoSo;
  if (body.trangThai === 'DA_DANG_KY' && body.maDinhDanh) {
    return { status: 'registered', nationalId: body.maDinhDanh, ...(submissionId ? { submissionId } : {}) };
  }
  if (body.trangThai === 'TU_CHOI')
    return { status: 'rejected', reason: body.lyDo ?? 'Từ chối', ...(submissionId ? { submissionId } : {}) };
  if (body.trangThai === 'DANG_XU_LY' && submissionId) return { status: 'submitted', submissionId };
  throw new RegistryUnavailableError(`unexpected answer from the platform (trangThai ${String(body.trangThai)})`);
};

export const provisionalLabourRegistry = (options: ProvisionalRegistryOptions): LabourContractRegistry => {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const base = options.baseUrl.replace(/\/+$/, '');
  let token: { value: string; expiresAt: number } | undefined;

  const call = async (path: string, init: RequestInit): Promise<Response> => {
    try {
      return await doFetch(`${base}${path}`, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      const timedOut = (e as Error).name === 'TimeoutError' || (e as { reason?: string }).reason === 'timeout';
      throw new RegistryUnavailableError(
        timedOut ? `no answer within ${timeoutMs} ms` : `unreachable (${(e as { reason?: string }).reason ?? (e as Error).name})`,
      );
    }
  };
  const accessToken = async (fresh: boolean): Promise<string> => {
    if (!fresh && token && token.expiresAt > now() + 30_000) return token.value;
    let secret: string;
    try {
      secret = await readSecret(options.clientSecret);
    } catch (e) {
      // The secret store is an operator problem too: retried like an outage (the error's name only, never its text).
      throw new RegistryUnavailableError(`client secret unreadable (${(e as Error).name})`);
    }
    const res = await call('/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: options.clientId, client_secret: secret }),
    });
    if (!res.ok) {
      await res.body?.cancel();
      // Wrong credentials are an operator problem, not the contract's: keep retrying (and alarm at 20 h).
      throw new RegistryUnavailableError(`token endpoint answered ${res.status}`);
    }
    const body = (await res.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new RegistryUnavailableError('token endpoint gave no access_token');
    token = { value: body.access_token, expiresAt: now() + (body.expires_in ?? 300) * 1000 };
    return token.value;
  };
  const authorised = async (path: string, init: RequestInit): Promise<Response> => {
    let res = await call(path, { ...init, headers: { ...init.headers, authorization: `Bearer ${await accessToken(false)}` } });
    if (res.status === 401) {
      await res.body?.cancel();
      res = await call(path, { ...init, headers: { ...init.headers, authorization: `Bearer ${await accessToken(true)}` } });
    }
    return res;
  };
  const answer = async (res: Response): Promise<RegistryAnswer> => {
    if (res.status === 429 || res.status >= 500 || res.status === 401) {
      await res.body?.cancel();
      throw new RegistryUnavailableError(`platform answered ${res.status}`);
    }
    let body: WireStatus;
    try {
      body = (await res.json()) as WireStatus;
    } catch {
      throw new RegistryUnavailableError(`platform answered ${res.status} without JSON`);
    }
    if (res.status === 400 || res.status === 422) {
      const loi = body.loi ?? {};
      return { status: 'rejected', reason: [loi.thongDiep ?? `HTTP ${res.status}`, loi.truong ? `(${loi.truong})` : ''].join(' ').trim() };
    }
    if (!res.ok) throw new RegistryUnavailableError(`platform answered ${res.status}`);
    return fromWire(body);
  };

  return {
    async submit(submission) {
      const res = await authorised('/api/v1/hop-dong', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': submission.reference },
        body: JSON.stringify(toWire(submission)),
      });
      return answer(res);
    },
    async status(submissionId) {
      return answer(await authorised(`/api/v1/ho-so/${encodeURIComponent(submissionId)}`, { method: 'GET' }));
    },
  };
};

/** When no platform is configured: every attempt fails as "unavailable", so registrations wait, are retried and raise the alarm. */
export const unconfiguredLabourRegistry = (): LabourContractRegistry => {
  const fail = async (): Promise<never> => {
    throw new RegistryUnavailableError('KYSO_LABOUR_PLATFORM_URL is not configured');
  };
  return { submit: fail, status: fail };
};
