/**
 * Embedded signing in the browser: the same kyso-embed.js the API serves (web/embed/), for
 * bundlers. `openSigning({ url })` frames the embedded-link URL and resolves with the outcome.
 */
export { type OpenSigningOptions, openSigning, type SigningOutcome, signingOutcome } from '../../../web/embed/kyso-embed.js';
