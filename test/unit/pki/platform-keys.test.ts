import { DescribeKeyCommand, GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { kmsSigner } from '../../../functions/aws/kms-signer.js';
import { loadPlatformPki } from '../../../functions/aws/platform-keys.js';
import { createPkiMaterial } from '../../../shared/pki/platform-pki.js';
import { parseTimestampToken } from '../../../shared/pki/timestamp-parse.js';
import { createTimestampToken } from '../../../shared/pki/timestamp-token.js';
import { sha256 } from '../../../shared/util/bytes.js';
import { softwareSigner } from '../../support/software-signer.js';

const clock = { now: () => new Date('2026-03-01T00:00:00Z') };
const conditionFailed = () => Object.assign(new Error('condition'), { name: 'ConditionalCheckFailedException' });

/** KMS with software keys behind aliases; `missing` aliases answer NotFound, as on a stack without them. */
const fakeKms = (missing: string[] = []) => {
  const keys = new Map<string, ReturnType<typeof softwareSigner>>();
  const key = (id: string) => keys.get(id) ?? keys.set(id, softwareSigner()).get(id)!;
  const send = async (cmd: unknown) => {
    if (cmd instanceof DescribeKeyCommand) {
      const id = cmd.input.KeyId as string;
      if (missing.some((m) => id.endsWith(m))) throw Object.assign(new Error('no such alias'), { name: 'NotFoundException' });
      return { KeyMetadata: { KeyId: id, KeySpec: 'ECC_NIST_P256' } };
    }
    if (cmd instanceof GetPublicKeyCommand) return { PublicKey: await key(cmd.input.KeyId as string).publicKey() };
    if (cmd instanceof SignCommand) return { Signature: await key(cmd.input.KeyId as string).sign(cmd.input.Message as Uint8Array) };
    throw new Error(`unexpected ${String(cmd)}`);
  };
  return { send } as unknown as KMSClient;
};

/** One DynamoDB item with just the condition expressions platform-keys uses. */
const fakeTable = (initial?: Record<string, string>) => {
  let item: Record<string, string> | undefined = initial ? { pk: 'PKI', sk: 'MATERIAL', ...initial } : undefined;
  let updates = 0;
  const send = async (cmd: unknown) => {
    if (cmd instanceof GetCommand) return { Item: item && { ...item } };
    if (cmd instanceof PutCommand) {
      if (item) throw conditionFailed();
      item = cmd.input.Item as Record<string, string>;
      return {};
    }
    if (cmd instanceof UpdateCommand) {
      const values = cmd.input.ExpressionAttributeValues as Record<string, string>;
      const current = item?.tsa;
      const ok = cmd.input.ConditionExpression?.startsWith('tsa = :seen') ? current === values[':seen'] : !!item && current === undefined;
      if (!ok) throw conditionFailed();
      item = { ...item, tsa: values[':made'] as string };
      updates++;
      return {};
    }
    throw new Error('unexpected command');
  };
  return { client: { send } as unknown as DynamoDBDocumentClient, updates: () => updates, item: () => item };
};

const options = (kms: KMSClient, dynamo: DynamoDBDocumentClient) => ({
  kms,
  dynamo,
  tableName: 't',
  aliasPrefix: 'alias/kyso',
  keySpec: 'ECC_NIST_P256' as const,
  publicUrl: 'https://kyso.test',
  clock,
  create: false,
});

describe('loadPlatformPki and the TSA certificate', () => {
  it('adds a TSA certificate to material stored before the TSA existed, once', async () => {
    const kms = fakeKms();
    // The CA material as a deployment from before the TSA stored it, made with the same aliased keys.
    const caKey = (name: string) => kmsSigner({ client: kms, keyId: `alias/kyso/${name}`, algorithm: 'ECDSA_SHA_256' });
    const material = await createPkiMaterial({ root: caKey('root-ca'), issuing: caKey('issuing-ca') }, clock, 'https://kyso.test');
    const table = fakeTable({
      root: Buffer.from(material.rootCertificate).toString('base64'),
      issuing: Buffer.from(material.issuingCertificate).toString('base64'),
    });

    const [a, b] = await Promise.all([loadPlatformPki(options(kms, table.client)), loadPlatformPki(options(kms, table.client))]);
    expect(table.updates()).toBe(1); // the loser of the race read the winner's certificate
    expect(a.tsa.certificate).toEqual(b.tsa.certificate);
    expect(a.tsa.chain).toEqual([material.issuingCertificate, material.rootCertificate]);

    const again = await loadPlatformPki(options(kms, table.client));
    expect(again.tsa.certificate).toEqual(a.tsa.certificate);
    expect(table.updates()).toBe(1);

    const token = await createTimestampToken({ digest: sha256('x'), tsa: again.tsa, clock });
    expect(parseTimestampToken(token).certificates[0]).toEqual(a.tsa.certificate);
  });

  it('keeps signing working on a stack without a TSA key, and says why timestamps fail', async () => {
    const kms = fakeKms(['/tsa']);
    const table = fakeTable();
    const pki = await loadPlatformPki(options(kms, table.client));
    expect(() => pki.tsa).toThrow(/TSA/);
    const creds = await pki.credentialsFor({ name: 'Nguyễn Văn A', email: 'a@example.com' });
    expect(creds.chain).toHaveLength(2);
  });
});
