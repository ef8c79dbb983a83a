/**
 * Large PDFs bypass the API's request and response bodies (Lambda payloads stop at 6 MB):
 * the client PUTs the file straight to S3 with a short-lived presigned URL and names it by
 * `uploadId` when creating the envelope; downloads can likewise be handed out as presigned
 * GET URLs. Keys always sit under the tenant's prefix, so an upload id only works for the
 * tenant that asked for it.
 */
export interface PresignedUrls {
  /** A PUT URL accepting exactly `size` bytes of application/pdf at `key`. */
  presignPut(key: string, size: number, expiresInSeconds: number): Promise<string>;
  /** A GET URL for `key` that downloads as `filename` (a PDF unless `contentType` says otherwise). */
  presignGet(key: string, filename: string, expiresInSeconds: number, contentType?: string): Promise<string>;
}

/** Under a top-level prefix so one lifecycle rule can expire abandoned uploads (infra: documents-bucket). */
export const uploadKey = (tenantId: string, uploadId: string): string => `uploads/${tenantId}/${uploadId}.pdf`;
