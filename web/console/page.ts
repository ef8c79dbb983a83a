import { escapeHtml, scriptJson } from '../shared/html.js';
import type { Lang } from '../signer/i18n.js';
import { CONSOLE_STRINGS } from './i18n.js';

/**
 * The console shell: a header and an empty main that /app/assets/console.js fills (hash routes,
 * no build step). Strings go in as JSON with `<` escaped so no value can close the script tag.
 */
export const consolePage = (lang: Lang): string => {
  const s = CONSOLE_STRINGS[lang];
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(s.title)} · Kyso</title>
<link rel="stylesheet" href="/assets/base.css">
<link rel="stylesheet" href="/app/assets/console.css">
</head>
<body>
<header class="bar"><a class="brand" href="#/">Kyso</a><nav id="nav" hidden>
<a href="#/">${escapeHtml(s.envelopes)}</a><a href="#/new">${escapeHtml(s.newEnvelope)}</a><a href="#/templates">${escapeHtml(s.templates)}</a><a href="#/labour">${escapeHtml(s.labour)}</a><a href="#/data-subjects">${escapeHtml(s.ds_nav)}</a><a href="#/keys">${escapeHtml(s.apiKeys)}</a><a href="#/users" hidden>${escapeHtml(s.us_nav)}</a><a href="#/remote-signing" hidden>${escapeHtml(s.rs_nav)}</a><a href="#/security">${escapeHtml(s.sec_nav)}</a><a href="/verify?lang=${lang}">${escapeHtml(s.verify)}</a>
<span id="who" class="muted"></span><button type="button" id="sign-out" class="link">${escapeHtml(s.signOut)}</button></nav>
<a class="lang" href="?lang=${lang === 'vi' ? 'en' : 'vi'}">${escapeHtml(s.language)}</a></header>
<main id="app"><p class="muted" role="status">${escapeHtml(s.loading)}</p></main>
<script>window.KYSO_LANG=${scriptJson(lang)};window.KYSO_STRINGS=${scriptJson(s)};</script>
<script type="module" src="/app/assets/console.js"></script>
</body>
</html>`;
};
