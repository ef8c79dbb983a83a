import { inject } from 'vitest';
import { call, fixture, latestLinkToken, mailsTo } from './api.js';

/** Helpers for the workflow tests (roles, lifecycle, OTP, concurrency, audit). */
export interface EnvelopeBody {
  id: string;
  status: string;
  expiresAt?: string;
  statusReason?: string;
  recipients: { id: string; email: string; name: string; role: string; status: string; order: number; remindersSent?: number }[];
  documents: { id: string; sha256: string; revisions: number }[];
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface Who {
  name: string;
  email?: string;
  role?: 'signer' | 'approver' | 'viewer' | 'seal' | string;
  order?: number;
  auth?: Record<string, unknown>;
  phone?: string;
  channels?: string[];
  identity?: Record<string, unknown>;
  /** default: a signature field for signers and seals, none for others */
  signatureField?: boolean;
}

/** Small signature boxes laid out in a grid on page 1, so up to 20 recipients fit. */
export const box = (i: number) => ({ page: 1, x: 40 + (i % 4) * 130, y: 420 + Math.floor(i / 4) * 50, width: 120, height: 40 });

export const workflowJson = (recipients: Who[], extra: Record<string, unknown> = {}) => ({
  title: 'Hợp đồng lao động',
  documents: [{ name: 'hop-dong.pdf', contentBase64: Buffer.from(fixture('hop-dong-lao-dong.pdf')).toString('base64') }],
  recipients: recipients.map((r) => ({
    name: r.name,
    ...(r.email ? { email: r.email } : {}),
    role: r.role ?? 'signer',
    order: r.order ?? 1,
    ...(r.auth ? { auth: r.auth } : {}),
    ...(r.phone ? { phone: r.phone } : {}),
    ...(r.channels ? { channels: r.channels } : {}),
    ...(r.identity ? { identity: r.identity } : {}),
  })),
  fields: recipients.flatMap((r, i) =>
    (r.signatureField ?? ((r.role ?? 'signer') === 'signer' || r.role === 'seal'))
      ? [{ recipient: i, document: 0, type: 'signature', ...box(i) }]
      : [],
  ),
  ...extra,
});

export const createAndSend = async (key: string, recipients: Who[], extra: Record<string, unknown> = {}) => {
  const created = await call<EnvelopeBody>('POST', '/v1/envelopes', { key, json: workflowJson(recipients, extra) });
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const sent = await call<EnvelopeBody>('POST', `/v1/envelopes/${created.body.id}/send`, { key });
  if (sent.status !== 200) throw new Error(`send failed: ${sent.status} ${JSON.stringify(sent.body)}`);
  return sent.body;
};

export const devKey = () => inject('devApiKey');

export const signWith = (token: string, name: string) =>
  call<ErrorBody>('POST', `/v1/sign/${token}`, { json: { signature: { type: 'typed', value: name } } });

export const getEnvelope = (key: string, id: string) => call<EnvelopeBody>('GET', `/v1/envelopes/${id}`, { key });

export const subjects = async (email: string) => (await mailsTo(email)).map((m) => m.subject);

export const runScheduler = (task: 'reminders' | 'expiry' | 'retention', now?: Date) =>
  call<{ task: string; processed: number; acted: number; failed: number }>(
    'POST',
    `/dev/scheduler/${task}${now ? `?now=${encodeURIComponent(now.toISOString())}` : ''}`,
  );

export { latestLinkToken, mailsTo };
