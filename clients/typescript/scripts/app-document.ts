import { createApp } from '../../../functions/api/app.js';
import type { AppDeps } from '../../../functions/api/context.js';

/**
 * The app's /openapi.json without AWS: the document is generated from the route definitions
 * only, so an app with no adapters serves it. Used by the client generator, its staleness test
 * and the contract test. The server URL is fixed so the output does not depend on where it ran.
 */
export const appDeps = (publicUrl = 'http://localhost:3000') =>
  ({
    publicUrl,
    maxUploadBytes: 1024 * 1024,
    maxPresignedUploadBytes: 10 * 1024 * 1024,
    devMail: { list: async () => [] },
    logger: { info() {}, warn() {}, error() {}, debug() {} },
    clock: { now: () => new Date() },
  }) as unknown as AppDeps;

export const appOpenApiDocument = async (): Promise<Record<string, unknown>> =>
  (await (await createApp(appDeps()).request('/openapi.json')).json()) as Record<string, unknown>;
