import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, type KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../shared/envelope/ports.js';
import { keyIdentifier, parseCertificate } from '../../shared/pki/certificate.js';
import { algorithmForKeySpec, type KeySigner, type KeySpec } from '../../shared/pki/key-signer.js';
import { createPkiMaterial, createTsaCertificate, type PkiMaterial, PlatformPki } from '../../shared/pki/platform-pki.js';
import type { DocumentClient } from './dynamo-document-client.js';
import { isConditionFailure } from './dynamo-table.js';
import { kmsSigner } from './kms-signer.js';

export const PLATFORM_KEYS = ['root-ca', 'issuing-ca', 'platform-signing', 'tsa'] as const;
export type PlatformKeyName = (typeof PLATFORM_KEYS)[number];

const isNotFound = (e: unknown) => e instanceof NotFoundException || (e as { name?: string }).name === 'NotFoundException';

/** Resolves a platform key by alias; with `create`, makes it (idempotently) if it is missing. */
export const resolveKey = async (
  kms: KMSClient,
  alias: string,
  spec: KeySpec,
  create: boolean,
): Promise<{ keyId: string; spec: KeySpec }> => {
  try {
    const d = await kms.send(new DescribeKeyCommand({ KeyId: alias }));
    const keyId = d.KeyMetadata?.KeyId;
    if (!keyId) throw new Error(`KMS alias ${alias} has no key`);
    return { keyId, spec: (d.KeyMetadata?.KeySpec as KeySpec | undefined) ?? spec };
  } catch (e) {
    if (!isNotFound(e) || !create) throw e;
  }
  const created = await kms.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY', Description: `Kyso ${alias}` }));
  const keyId = created.KeyMetadata?.KeyId as string;
  try {
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
  } catch {
    // Another bootstrap won the race: use its key.
    return resolveKey(kms, alias, spec, false);
  }
  return { keyId, spec };
};

export interface PlatformPkiOptions {
  readonly kms: KMSClient;
  readonly dynamo: DocumentClient;
  readonly tableName: string;
  readonly aliasPrefix: string;
  readonly keySpec: KeySpec;
  readonly publicUrl: string;
  readonly clock: Clock;
  /** Create keys and CA certificates if missing (local bootstrap); on AWS the stack creates the keys. */
  readonly create: boolean;
}

const PKI_KEY = { pk: 'PKI', sk: 'MATERIAL' };

/**
 * Loads the platform CA material and keys. The CA certificates are made once, through KMS,
 * and stored with a conditional put so concurrent cold starts agree on one root.
 */
export const loadPlatformPki = async (o: PlatformPkiOptions): Promise<PlatformPki> => {
  const signers = Object.fromEntries(
    await Promise.all(
      PLATFORM_KEYS.map(async (name) => {
        try {
          const { keyId, spec } = await resolveKey(o.kms, `${o.aliasPrefix}/${name}`, o.keySpec, o.create);
          return [name, kmsSigner({ client: o.kms, keyId, algorithm: algorithmForKeySpec(spec) })] as const;
        } catch (e) {
          // A stack deployed before the TSA has no TSA key yet: keep signing (B-B) working, and let
          // only timestamping fail (PlatformPki.tsa says why) until the stack adds the key.
          if (name === 'tsa' && isNotFound(e)) return [name, undefined] as const;
          throw e;
        }
      }),
    ),
  ) as Record<Exclude<PlatformKeyName, 'tsa'>, KeySigner> & { tsa?: KeySigner };

  const read = async (): Promise<(PkiMaterial & { tsaCertificate?: Uint8Array }) | undefined> => {
    const r = await o.dynamo.send(new GetCommand({ TableName: o.tableName, Key: PKI_KEY, ConsistentRead: true }));
    if (!r.Item) return undefined;
    return {
      rootCertificate: new Uint8Array(Buffer.from(r.Item.root as string, 'base64')),
      issuingCertificate: new Uint8Array(Buffer.from(r.Item.issuing as string, 'base64')),
      ...(r.Item.tsa ? { tsaCertificate: new Uint8Array(Buffer.from(r.Item.tsa as string, 'base64')) } : {}),
    };
  };
  let material = await read();
  if (!material) {
    const made = await createPkiMaterial({ root: signers['root-ca'], issuing: signers['issuing-ca'] }, o.clock, o.publicUrl);
    try {
      await o.dynamo.send(
        new PutCommand({
          TableName: o.tableName,
          Item: {
            ...PKI_KEY,
            root: Buffer.from(made.rootCertificate).toString('base64'),
            issuing: Buffer.from(made.issuingCertificate).toString('base64'),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      material = made;
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      material = await read();
    }
  }
  if (!material) throw new Error('platform PKI material missing');

  const tsaCertificate = signers.tsa
    ? await ensureTsaCertificate(o, { tsa: signers.tsa, issuing: signers['issuing-ca'] }, material, read)
    : undefined;
  return new PlatformPki({
    issuingCa: signers['issuing-ca'],
    signingKey: signers['platform-signing'],
    rootCa: signers['root-ca'],
    ...(signers.tsa && tsaCertificate ? { tsa: { signer: signers.tsa, certificate: tsaCertificate } } : {}),
    material,
    clock: o.clock,
    publicUrl: o.publicUrl,
  });
};

const sameKey = (certificate: Uint8Array, spki: Uint8Array) =>
  Buffer.from(keyIdentifier(new Uint8Array(parseCertificate(certificate).subjectPublicKeyInfo.toSchema().toBER(false)))).equals(
    keyIdentifier(spki),
  );

/**
 * The TSA came after the first deployments: their stored item has no `tsa` attribute, so the
 * certificate is issued on first need and added with a conditional update (concurrent cold
 * starts agree on the first one written). A stored one for another key (the alias was
 * re-pointed) is replaced, or every token would fail to verify.
 */
const ensureTsaCertificate = async (
  o: PlatformPkiOptions,
  keys: { tsa: KeySigner; issuing: KeySigner },
  material: PkiMaterial & { tsaCertificate?: Uint8Array },
  read: () => Promise<{ tsaCertificate?: Uint8Array } | undefined>,
): Promise<Uint8Array | undefined> => {
  const seen = material.tsaCertificate;
  if (seen && sameKey(seen, await keys.tsa.publicKey())) return seen;
  const made = await createTsaCertificate(keys, material.issuingCertificate, o.clock, o.publicUrl);
  try {
    await o.dynamo.send(
      new UpdateCommand({
        TableName: o.tableName,
        Key: PKI_KEY,
        UpdateExpression: 'SET tsa = :made',
        ConditionExpression: seen ? 'tsa = :seen' : 'attribute_exists(pk) AND attribute_not_exists(tsa)',
        ExpressionAttributeValues: {
          ':made': Buffer.from(made).toString('base64'),
          ...(seen ? { ':seen': Buffer.from(seen).toString('base64') } : {}),
        },
      }),
    );
    return made;
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
    return (await read())?.tsaCertificate;
  }
};
