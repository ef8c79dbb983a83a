/** Types of kyso-embed.js (a plain ES module served to browsers as is). */
export interface SigningOutcome {
  readonly status: 'signed' | 'approved' | 'declined' | 'error';
  readonly envelopeId?: string;
  readonly recipientId?: string;
  readonly message?: string;
}

export interface OpenSigningOptions {
  /** The `url` from POST /v1/envelopes/{id}/recipients/{rid}/embedded-link. */
  readonly url: string;
  /** Where the iframe goes (default document.body). */
  readonly container?: HTMLElement;
  /** `iframe` (default) or `redirect` (the outcome then comes back on returnUrl: signingOutcome()). */
  readonly mode?: 'iframe' | 'redirect';
  /** Without `kyso:ready` from the page by then, resolves with status `error` (default 20 s). */
  readonly readyTimeoutMs?: number;
  /** Every event the page sends (kyso:ready, kyso:signed, …). */
  readonly onEvent?: (event: { readonly type: string; readonly [k: string]: unknown }) => void;
  readonly iframeTitle?: string;
}

export declare const openSigning: (options: OpenSigningOptions) => Promise<SigningOutcome>;
export declare const signingOutcome: (href?: string) => { readonly status: SigningOutcome['status'] } | undefined;
