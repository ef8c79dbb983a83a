// Types of the browser pages' globals (web/tsconfig.json type-checks web/**/*.js with them).
import type { el } from './shared/html.js';

declare global {
  interface Window {
    /** Set by the page shells (web/*\/page.ts) before the scripts run. */
    KYSO_LANG: 'vi' | 'en';
    KYSO_STRINGS: Record<string, string>;
    /** Embedded links only: where the signer page posts its outcome. */
    KYSO_EMBED?: { origin: string; returnUrl: string };
    /** kyso-embed.js loaded as a classic script. */
    KysoEmbed?: { openSigning: unknown; signingOutcome: unknown };
  }

  /** What console.js hands to the page modules it loads (compose.js, templates.js, labour.js). */
  interface ConsoleContext {
    app: HTMLElement;
    // biome-ignore lint/suspicious/noExplicitAny: JSON of whatever route was called
    api: (method: string, path: string, body?: unknown) => Promise<any>;
    el: typeof el;
    S: Record<string, string>;
    fmtTime: (iso?: string) => string;
  }
}
