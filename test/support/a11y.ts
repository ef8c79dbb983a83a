import type { Page } from 'playwright-core';

/**
 * Accessibility basics a browser can check: every form control has a label (a <label>, or
 * aria-label), every button and link has a name, and nothing interactive is taken out of
 * the tab order. Returns what fails, described, so a test can expect an empty list.
 */
export const a11yProblems = (page: Page): Promise<string[]> =>
  page.evaluate(() => {
    const problems: string[] = [];
    const describe = (e: Element) =>
      `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className ? `.${String(e.className).split(' ')[0]}` : ''}`;
    const visible = (e: Element) => !!(e as HTMLElement).offsetParent || (e as HTMLElement).getClientRects().length > 0;
    for (const e of Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))) {
      if (!visible(e)) continue;
      const c = e as HTMLInputElement;
      if (!c.labels?.length && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby'))
        problems.push(`no label: ${describe(e)}`);
    }
    for (const e of Array.from(document.querySelectorAll('button, a[href], summary'))) {
      if (!visible(e)) continue;
      const name = (e.getAttribute('aria-label') ?? e.textContent ?? '').trim();
      if (!name) problems.push(`no name: ${describe(e)}`);
      if ((e as HTMLElement).tabIndex < 0) problems.push(`not focusable: ${describe(e)}`);
    }
    return problems;
  });
