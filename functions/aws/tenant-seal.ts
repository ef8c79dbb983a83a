import type { KMSClient } from '@aws-sdk/client-kms';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SealCredentialsPort, SealInfo } from '../../shared/envelope/ports.js';
import { algorithmForKeySpec, type KeySpec } from '../../shared/pki/key-signer.js';
import type { PlatformPki, SignerCredentials } from '../../shared/pki/platform-pki.js';
import type { DocumentClient } from './dynamo-document-client.js';
import { kmsSigner } from './kms-signer.js';
import { resolveKey } from './platform-keys.js';

export interface TenantSealOptions {
  readonly kms: KMSClient;
  readonly dynamo: DocumentClient;
  readonly tableName: string;
  /** e.g. alias/kyso: the seal key is `${aliasPrefix}/tenant/<tenantId>/seal`. */
  readonly aliasPrefix: string;
  readonly defaultKeySpec: KeySpec;
  /** Local mode: the platform issuing CA issues the seal certificate at once. On AWS it comes from a real CA (issue 8). */
  readonly issueLocally: boolean;
  readonly pki: () => Promise<PlatformPki>;
}

const b64 = (d: Uint8Array) => Buffer.from(d).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/**
 * The tenant's organisation seal: one KMS key per tenant (created here, idempotently, by
 * alias) and its certificate, stored as item TENANT#t / SEAL. The KeySigner is cached per
 * container (GetPublicKey is rate-limited).
 */
export const kmsTenantSeals = (o: TenantSealOptions): SealCredentialsPort => {
  const key = (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'SEAL' });
  const signers = new Map<string, ReturnType<typeof kmsSigner>>();
  const read = async (tenantId: string): Promise<SealInfo | undefined> => {
    const r = await o.dynamo.send(new GetCommand({ TableName: o.tableName, Key: key(tenantId), ConsistentRead: true }));
    const i = r.Item;
    if (!i) return undefined;
    return {
      tenantId,
      keyId: i.keyId as string,
      keySpec: i.keySpec as KeySpec,
      organization: i.organization as string,
      taxCode: i.taxCode as string,
      createdAt: i.createdAt as string,
      ...(i.certificate ? { certificate: unb64(i.certificate as string), chain: (i.chain as string[]).map(unb64) } : {}),
    };
  };
  const signerFor = (info: SealInfo) => {
    let s = signers.get(info.keyId);
    if (!s) {
      s = kmsSigner({ client: o.kms, keyId: info.keyId, algorithm: algorithmForKeySpec(info.keySpec) });
      signers.set(info.keyId, s);
    }
    return s;
  };
  return {
    describe: read,
    async provision(tenantId, input) {
      const alias = `${o.aliasPrefix}/tenant/${tenantId}/seal`;
      const { keyId, spec } = await resolveKey(o.kms, alias, input.keySpec ?? o.defaultKeySpec, true);
      const existing = await read(tenantId);
      const info: SealInfo = {
        tenantId,
        keyId,
        keySpec: spec,
        organization: input.organization,
        taxCode: input.taxCode,
        createdAt: new Date().toISOString(),
      };
      const signer = signerFor(info);
      let certified: SealInfo = info;
      // A certificate a CA issued for this very key (POST /v1/seal/certificate) survives re-provisioning.
      const stored = await o.dynamo.send(new GetCommand({ TableName: o.tableName, Key: key(tenantId), ConsistentRead: true }));
      if (existing?.certificate && existing.keyId === keyId && stored.Item?.certificateSource === 'ca-upload') {
        certified = { ...info, certificate: existing.certificate, chain: existing.chain ?? [] };
      } else if (o.issueLocally) {
        const pki = await o.pki();
        const certificate = await pki.issueSealCertificate({ ...input, subjectPublicKey: await signer.publicKey() });
        certified = { ...info, certificate, chain: [pki.issuingCertificate, pki.rootCertificate] };
      }
      await o.dynamo.send(
        new PutCommand({
          TableName: o.tableName,
          Item: {
            ...key(tenantId),
            keyId,
            keySpec: spec,
            organization: input.organization,
            taxCode: input.taxCode,
            createdAt: existing?.createdAt ?? info.createdAt,
            ...(certified.certificate ? { certificate: b64(certified.certificate), chain: (certified.chain ?? []).map(b64) } : {}),
            ...(certified.certificate && certified.certificate === existing?.certificate ? { certificateSource: 'ca-upload' } : {}),
          },
        }),
      );
      return { ...certified, createdAt: existing?.createdAt ?? info.createdAt };
    },
    async credentials(tenantId): Promise<SignerCredentials | undefined> {
      const info = await read(tenantId);
      if (!info?.certificate) return undefined;
      return { certificate: info.certificate, chain: info.chain ?? [], signer: signerFor(info) };
    },
  };
};
