import { KIND_TEXT, REPORT_TEXT, REVOCATION_TEXT, type ReportLang, reasonText, VERDICT_TEXT } from '../../shared/verify/report-text.js';
import type { SignatureReport, VerificationReport } from '../../shared/verify/types.js';
// Every piece of text that came from the uploaded file goes through escapeHtml.
import { escapeHtml } from '../shared/html.js';

const VIETNAM = new Intl.DateTimeFormat('vi-VN', { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Asia/Ho_Chi_Minh' });
const when = (iso: string | undefined) => (iso ? `${VIETNAM.format(new Date(iso))} (GMT+7)` : '—');

/** What the verify page adds to the base stylesheet (web/shared/base.css, linked before it). */
const CSS = `body{line-height:1.5}main{max-width:760px;padding:16px}header{display:flex;justify-content:space-between;align-items:center;gap:8px}
h1{font-size:1.4rem;margin:.5rem 0}h2{font-size:1.1rem;margin:0 0 .5rem}.card{border:0;border-radius:12px;padding:16px;margin:12px 0;box-shadow:0 1px 3px #0002}
.drop{display:block;border:2px dashed #8aa;border-radius:12px;padding:28px 12px;text-align:center;cursor:pointer;background:#fff;font-weight:400;margin:0}.drop.over{background:#e8f4ff;border-color:#36c}
input[type=file]{max-width:100%}button{font:inherit;padding:12px 18px;margin:8px 8px 0 0;min-height:44px}
button.secondary{background:#e3e8ee;color:var(--ink)}.valid{color:#0a6b32}.invalid{color:#b3261e}.indeterminate{color:#8a5a00}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;font-weight:600;background:currentColor}.badge span{color:#fff}
dl{display:grid;grid-template-columns:minmax(110px,35%) 1fr;gap:4px 12px;margin:0}dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
@media (max-width:480px){dl{grid-template-columns:1fr}dt{margin-top:6px}}small{color:var(--muted)}a{color:var(--brand)}`;

const shell = (lang: ReportLang, body: string) => {
  const t = REPORT_TEXT[lang];
  const other = lang === 'vi' ? 'en' : 'vi';
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(t.title)} · Kyso</title><link rel="stylesheet" href="/assets/base.css"><style>${CSS}</style></head><body><main>
<header><strong>Kyso</strong><a href="/verify?lang=${other}">${escapeHtml(t.language)}</a></header>${body}</main></body></html>`;
};

const badge = (lang: ReportLang, v: SignatureReport['verdict']) =>
  `<span class="badge ${v}"><span>${escapeHtml(VERDICT_TEXT[lang][v])}</span></span>`;
const row = (label: string, value: string) => `<dt>${escapeHtml(label)}</dt><dd>${value}</dd>`;
const okText = (lang: ReportLang, ok: boolean) =>
  `<span class="${ok ? 'valid' : 'invalid'}">${escapeHtml(ok ? REPORT_TEXT[lang].ok : REPORT_TEXT[lang].failed)}</span>`;

const signatureCard = (lang: ReportLang, s: SignatureReport) => {
  const t = REPORT_TEXT[lang];
  const rows = [
    s.reasons.length ? row(t.overall, escapeHtml(s.reasons.map((r) => reasonText(lang, r)).join('; '))) : '',
    s.signerName ? row(t.signer, escapeHtml(s.signerName)) : '',
    s.tierText ? row(t.tier, `<strong>${escapeHtml(s.tierText[lang])}</strong>`) : '',
    s.certificate ? row(t.subject, escapeHtml(s.certificate.subject)) : '',
    s.certificate ? row(t.issuer, escapeHtml(s.certificate.issuer)) : '',
    s.certificate ? row(t.serial, escapeHtml(s.certificate.serialNumber)) : '',
    s.certificate ? row(t.validity, escapeHtml(`${when(s.certificate.notBefore)} → ${when(s.certificate.notAfter)}`)) : '',
    s.claimedTime ? row(t.claimedTime, escapeHtml(when(s.claimedTime))) : '',
    s.timestamp
      ? row(
          t.timestamp,
          `${escapeHtml(when(s.timestamp.time))} — ${okText(lang, s.timestamp.valid)}${s.timestamp.valid && !s.timestamp.trusted ? `, ${escapeHtml(t.untrusted)}` : ''}${s.timestamp.tsa ? ` <small>(${escapeHtml(s.timestamp.tsa)})</small>` : ''}`,
        )
      : '',
    row(t.integrity, okText(lang, s.integrity.ok)),
    row(t.signatureValue, okText(lang, s.signatureValue.ok)),
    row(t.coverage, escapeHtml(s.coverage.coversWholeFile ? t.wholeFile : t.revisionOnly)),
    s.coverage.coversWholeFile ? '' : row(t.modifications, escapeHtml(s.modifications.disallowed.join('; ') || t.none)),
    row(
      t.path,
      `${escapeHtml(s.certificatePath.trusted ? t.trusted : t.untrusted)}<br><small>${escapeHtml(s.certificatePath.chain.join(' → '))}</small>`,
    ),
    row(
      t.revocation,
      escapeHtml(
        `${REVOCATION_TEXT[lang][s.revocation.status]} (CRL ${s.revocation.crlsChecked}, OCSP ${s.revocation.ocspChecked}/${s.revocation.ocspResponses})`,
      ),
    ),
    s.level ? row(t.level, escapeHtml(`PAdES ${s.level}`)) : '',
  ];
  return `<section class="card"><h2>${escapeHtml(`${t.signature} ${s.index} · ${KIND_TEXT[lang][s.kind]}`)} ${badge(lang, s.verdict)}</h2><dl>${rows.join('')}</dl></section>`;
};

const form = (lang: ReportLang) => {
  const t = REPORT_TEXT[lang];
  return `<form class="card" method="post" action="/v1/verify?lang=${lang}" enctype="multipart/form-data" id="f">
<label class="drop" id="drop">${escapeHtml(t.choose)}<br><input type="file" name="file" accept="application/pdf,.pdf" required></label>
<button type="submit">${escapeHtml(t.check)}</button><button type="submit" class="secondary" formaction="/v1/verify?format=pdf&amp;lang=${lang}">${escapeHtml(t.download)}</button>
<p><small>${escapeHtml(t.privacy)}</small></p></form>
<script>(()=>{const d=document.getElementById('drop'),i=d.querySelector('input');['dragover','dragenter'].forEach(e=>d.addEventListener(e,v=>{v.preventDefault();d.classList.add('over')}));
['dragleave','drop'].forEach(e=>d.addEventListener(e,()=>d.classList.remove('over')));d.addEventListener('drop',v=>{v.preventDefault();if(v.dataTransfer.files.length){i.files=v.dataTransfer.files;document.getElementById('f').submit()}})})()</script>`;
};

/** GET /verify: the upload form. */
export const verifyPage = (lang: ReportLang): string => {
  const t = REPORT_TEXT[lang];
  return shell(lang, `<h1>${escapeHtml(t.title)}</h1><p>${escapeHtml(t.intro)}</p>${form(lang)}`);
};

/** The report as a page (POST /v1/verify with Accept: text/html). */
export const reportPage = (lang: ReportLang, report: VerificationReport): string => {
  const t = REPORT_TEXT[lang];
  const k = report.kyso;
  const summary = `<section class="card"><h2>${escapeHtml(t.overall)}: ${badge(lang, report.verdict)}</h2><dl>
${report.reasons.length ? row(t.overall, escapeHtml(report.reasons.map((r) => reasonText(lang, r)).join('; '))) : ''}
${report.level ? row(t.level, escapeHtml(`PAdES ${report.level}`)) : ''}${row('SHA-256', `<small>${escapeHtml(report.sha256)}</small>`)}
${row(t.pages, String(report.pages))}${row(t.revisions, String(report.revisions))}${row(t.checkedAt, escapeHtml(when(report.checkedAt)))}</dl></section>`;
  const kyso = k
    ? `<section class="card"><h2>${escapeHtml(t.kyso)}</h2><dl>${row(t.envelopeTitle, escapeHtml(k.title))}${row(t.parties, escapeHtml(k.parties.map((p) => p.name).join(', ')))}${k.completedAt ? row(t.completedAt, escapeHtml(when(k.completedAt))) : ''}</dl>${k.currentRevision ? '' : `<p>${escapeHtml(t.notCurrent)}</p>`}</section>`
    : '';
  const sigs = report.signatures.length
    ? report.signatures.map((s) => signatureCard(lang, s)).join('')
    : `<p class="card">${escapeHtml(t.noSignatures)}</p>`;
  return shell(lang, `<h1>${escapeHtml(t.reportTitle)}</h1>${summary}${kyso}${sigs}<h2>${escapeHtml(t.again)}</h2>${form(lang)}`);
};

/** A file we cannot read (not a PDF, encrypted, too large): the message and the form again. */
export const verifyErrorPage = (lang: ReportLang, message: string): string => {
  const t = REPORT_TEXT[lang];
  return shell(lang, `<h1>${escapeHtml(t.error)}</h1><p class="card invalid">${escapeHtml(message)}</p>${form(lang)}`);
};
