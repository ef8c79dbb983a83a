import { PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';

/**
 * PutObject only if the key holds nothing yet (`If-None-Match: *`): true when this write stored it,
 * false when an object was there (412). A 409 means another conditional write of the key is in
 * flight; after a short wait its outcome decides (a 412 then).
 */
export const putNewObject = async (client: S3Client, input: Omit<PutObjectCommandInput, 'IfNoneMatch'>): Promise<boolean> => {
  for (let attempt = 0; ; attempt++) {
    try {
      await client.send(new PutObjectCommand({ ...input, IfNoneMatch: '*' }));
      return true;
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412) return false;
      if (status !== 409 || attempt === 3) throw e;
      await new Promise((res) => setTimeout(res, 100 * 2 ** attempt));
    }
  }
};
