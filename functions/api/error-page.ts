import { escapeHtml } from '../../web/shared/html.js';
import { baseCss } from './routes/web-assets.js';

type Lang = 'vi' | 'en';

/** What a person is told, by kind of failure: Vietnamese and English, no internals. */
const TEXT: Record<'unavailable' | 'internal' | 'not_found' | 'rate_limited' | 'bad_request', Record<Lang, [string, string]>> = {
  unavailable: {
    vi: [
      'Dịch vụ tạm thời gián đoạn',
      'Hệ thống đang quá tải hoặc đang bảo trì. Vui lòng thử lại sau ít phút; dữ liệu của bạn không bị mất.',
    ],
    en: [
      'Service temporarily unavailable',
      'The service is overloaded or under maintenance. Please try again in a few minutes; nothing you did was lost.',
    ],
  },
  internal: {
    vi: [
      'Đã xảy ra lỗi',
      'Rất tiếc, hệ thống gặp lỗi khi xử lý yêu cầu. Vui lòng thử lại; nếu lỗi lặp lại, hãy gửi mã yêu cầu bên dưới cho người gửi tài liệu.',
    ],
    en: [
      'Something went wrong',
      'Sorry, the service failed to handle this request. Please try again; if it happens again, give the request id below to the sender.',
    ],
  },
  not_found: {
    vi: ['Không tìm thấy trang', 'Địa chỉ này không tồn tại. Hãy kiểm tra lại liên kết.'],
    en: ['Page not found', 'This address does not exist. Please check the link.'],
  },
  rate_limited: {
    vi: ['Quá nhiều yêu cầu', 'Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng đợi một chút rồi thử lại.'],
    en: ['Too many requests', 'Too many requests in a short time. Please wait a moment and try again.'],
  },
  bad_request: {
    vi: ['Không thể xử lý yêu cầu', 'Yêu cầu không hợp lệ. Hãy mở lại liên kết từ email hoặc liên hệ người gửi.'],
    en: ['The request could not be handled', 'The request is not valid. Open the link from your email again or contact the sender.'],
  },
};

const kindOf = (status: number): keyof typeof TEXT =>
  status === 503 || status === 502 || status === 504
    ? 'unavailable'
    : status >= 500
      ? 'internal'
      : status === 404 || status === 410
        ? 'not_found'
        : status === 429
          ? 'rate_limited'
          : 'bad_request';

/** What the error page adds to the base stylesheet; without the base (unreadable file) it still reads. */
const PAGE_CSS =
  '.bar{justify-content:space-between;padding:10px 14px}main{max-width:40rem;padding:12px}h1{font-size:1.25rem;margin:.2rem 0 .6rem}.id{font-size:.9rem}';
const styles = (): string => {
  try {
    return `${baseCss()}\n${PAGE_CSS}`;
  } catch {
    return PAGE_CSS;
  }
};

/**
 * The error page of the HTML routes (signer page, console, verify page, /docs): self-contained
 * (the base stylesheet inlined, no script), Vietnamese first with English below (English first
 * with ?lang=en), and nothing of the failure but its status and the request id.
 */
export const errorPage = (status: number, lang: Lang, requestId?: string): string => {
  const text = TEXT[kindOf(status)];
  const order: Lang[] = lang === 'en' ? ['en', 'vi'] : ['vi', 'en'];
  const [title] = text[order[0] as Lang];
  const sections = order
    .map((l) => {
      const [heading, help] = text[l];
      return `<section class="card" lang="${l}"><h1>${escapeHtml(heading)}</h1><p>${escapeHtml(help)}</p></section>`;
    })
    .join('\n');
  const id = requestId
    ? `<p class="id muted">${lang === 'en' ? 'Request id' : 'Mã yêu cầu'}: <code>${escapeHtml(requestId)}</code></p>`
    : '';
  return `<!doctype html>
<html lang="${order[0]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · Kyso</title>
<style>${styles()}</style>
</head>
<body>
<header class="bar"><span class="brand">Kyso</span><span class="muted">${status}</span></header>
<main>
${sections}
${id}
</main>
</body>
</html>`;
};

export const ERROR_PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

/** Routes a person opens in a browser: their failures answer a page, not JSON. */
const PAGE_PATHS = [/^\/s\/[^/]+\/?$/, /^\/app\/?$/, /^\/docs\/?$/, /^\/verify\/?$/, /^\/$/];

export const isHtmlRoute = (method: string, path: string, accept: string | undefined): boolean => {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (PAGE_PATHS.some((p) => p.test(path))) return true;
  // A browser navigating elsewhere outside the JSON APIs (e.g. a mistyped page address).
  const isApi = /^\/(v1|app\/api|dev|admin|pki|tsa|openapi\.json|health|callbacks)(\/|$)/.test(path);
  return !isApi && !!accept && /text\/html/.test(accept) && !/application\/json/.test(accept);
};
