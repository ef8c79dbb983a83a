import { escapeHtml, scriptJson } from '../shared/html.js';
import { type Lang, STRINGS } from './i18n.js';

const shell = (lang: Lang, title: string, body: string, script?: string): string => `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · Kyso</title>
<link rel="stylesheet" href="/assets/base.css">
<link rel="stylesheet" href="/assets/signer.css">
</head>
<body>
<header class="bar"><span class="brand">Kyso</span><a class="lang" href="?lang=${lang === 'vi' ? 'en' : 'vi'}">${STRINGS[lang].language}</a></header>
<main id="app">${body}</main>
${script ?? ''}
</body>
</html>`;

/**
 * The signer page shell: small HTML and CSS that render immediately; /assets/signer.js
 * loads the envelope, then pdf.js lazily for each page as it scrolls into view.
 */
export const signerPage = (lang: Lang, embed?: { origin: string; returnUrl: string }): string =>
  shell(
    lang,
    STRINGS[lang].title,
    `<p class="muted" id="status" role="status" aria-live="polite">${STRINGS[lang].loading}</p>`,
    // KYSO_EMBED (embedded links only): the one origin the page's outcome events are posted to.
    `<script>window.KYSO_LANG=${scriptJson(lang)};window.KYSO_STRINGS=${scriptJson(STRINGS[lang])};${
      embed ? `window.KYSO_EMBED=${scriptJson(embed)};` : ''
    }</script>
<script type="module" src="/assets/signer.js"></script>`,
  );

export type LinkProblem = 'invalid' | 'expired' | 'voided' | 'declined' | 'used';

/** A helpful page instead of an error dump, for dead, expired or unknown links. */
export const linkProblemPage = (lang: Lang, kind: LinkProblem): string => {
  const s = STRINGS[lang];
  const [heading, help] = {
    invalid: [s.invalidLink, s.invalidLinkHelp],
    expired: [s.expiredLink, s.expiredLinkHelp],
    voided: [s.voidedLink, s.voidedLinkHelp],
    declined: [s.declinedLink, s.declinedLinkHelp],
    used: [s.usedLink, s.usedLinkHelp],
  }[kind] as [string, string];
  return shell(lang, heading, `<section class="card notice"><h1>${escapeHtml(heading)}</h1><p>${escapeHtml(help)}</p></section>`);
};
