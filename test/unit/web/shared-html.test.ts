import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorPage } from '../../../functions/api/error-page.js';
import { consolePage } from '../../../web/console/page.js';
import { escapeHtml, scriptJson } from '../../../web/shared/html.js';
import { linkProblemPage, signerPage } from '../../../web/signer/page.js';
import { verifyPage } from '../../../web/verify/page.js';

const BASE_CSS = readFileSync(new URL('../../../web/shared/base.css', import.meta.url), 'utf8');

describe('the one HTML helper (web/shared/html.js)', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&amp;`)).toBe('&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;amp;');
    expect(escapeHtml('Nguyễn Văn An')).toBe('Nguyễn Văn An');
  });

  it('embeds values in an inline script without a way to close the tag', () => {
    const json = scriptJson({ name: '</script><script>alert(1)</script>' });
    expect(json).not.toContain('</script>');
    expect(JSON.parse(json)).toEqual({ name: '</script><script>alert(1)</script>' });
  });
});

describe('one base stylesheet for every page', () => {
  it('is linked by the console, signer, dead-link and verify pages before their own styles', () => {
    for (const html of [consolePage('vi'), signerPage('vi'), linkProblemPage('en', 'expired'), verifyPage('vi')]) {
      const base = html.indexOf('<link rel="stylesheet" href="/assets/base.css">');
      expect(base).toBeGreaterThan(0);
      const own = html.search(/<link rel="stylesheet" href="\/(app\/)?assets\/(console|signer)\.css">|<style>/);
      expect(own).toBeGreaterThan(base);
    }
  });

  it('is inlined in the self-contained error page (its CSP loads nothing), with the request id escaped', () => {
    const html = errorPage(503, 'vi', 'req-<b>');
    expect(html).toContain(BASE_CSS.trim());
    expect(html).toContain('req-&lt;b&gt;');
    expect(html).not.toContain('req-<b>');
    expect(html).toContain('Dịch vụ tạm thời gián đoạn');
  });
});
