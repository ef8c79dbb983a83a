import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { classifyAwsError } from '../../../functions/aws/aws-errors.js';
import { type FaultKind, injectedError, injectFaults, parseFaultInjection } from '../../../functions/aws/fault-injection.js';

/** A KMS endpoint in memory: counts what reaches "the wire" and answers DescribeKey. */
const fakeKms = () => {
  const sent: string[] = [];
  const client = new KMSClient({
    region: 'ap-southeast-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    endpoint: 'http://127.0.0.1:9',
    requestHandler: {
      handle: async (request: { headers: Record<string, string> }) => {
        sent.push(request.headers['x-amz-target'] ?? '');
        return {
          response: {
            statusCode: 200,
            headers: { 'content-type': 'application/x-amz-json-1.1' },
            body: new Uint8Array(Buffer.from(JSON.stringify({ KeyMetadata: { KeyId: 'k1' } }))),
          },
        };
      },
    } as never,
  });
  return { client, sent };
};

/** Random draws from a list: fault decision, then kind index. */
const draws = (values: number[]) => () => values.shift() ?? 0.99;

describe('fault injection (KYSO_FAULT_RATE)', () => {
  it.each<FaultKind>(['throttling', 'timeout', '5xx'])(
    'a %s fault on the first attempt is retried by the SDK before anything is sent',
    async (kind) => {
      const { client, sent } = fakeKms();
      const faults: { kind: string; operation: string }[] = [];
      const index = ['throttling', 'timeout', '5xx'].indexOf(kind);
      injectFaults(client, { rate: 0.05, kinds: ['throttling', 'timeout', '5xx'] }, (f) => faults.push(f), draws([0.01, index / 3 + 0.01]));
      const out = await client.send(new DescribeKeyCommand({ KeyId: 'alias/x' }));
      expect(out.KeyMetadata?.KeyId).toBe('k1');
      expect(out.$metadata.attempts).toBe(2);
      expect(sent).toHaveLength(1);
      expect(faults).toEqual([expect.objectContaining({ kind, operation: 'DescribeKeyCommand' })]);
    },
  );

  it('a late timeout sends the request and still fails the attempt (the write may have happened)', async () => {
    const { client, sent } = fakeKms();
    injectFaults(client, { rate: 0.5, kinds: ['late-timeout'] }, undefined, draws([0.01, 0]));
    const out = await client.send(new DescribeKeyCommand({ KeyId: 'alias/x' }));
    expect(out.$metadata.attempts).toBe(2);
    expect(sent).toHaveLength(2);
  });

  it('faults on every attempt surface as an error our classifier calls unavailable', async () => {
    const { client, sent } = fakeKms();
    injectFaults(client, { rate: 0.5, kinds: ['5xx'] }, undefined, () => 0);
    const err = await client.send(new DescribeKeyCommand({ KeyId: 'alias/x' })).catch((e: unknown) => e);
    expect(classifyAwsError(err)).toBe('server');
    expect(sent).toHaveLength(0);
  });

  it('injected errors are classified as the real ones would be', () => {
    expect(classifyAwsError(injectedError('throttling'))).toBe('throttled');
    expect(classifyAwsError(injectedError('timeout'))).toBe('timeout');
    expect(classifyAwsError(injectedError('5xx'))).toBe('server');
    expect(
      classifyAwsError(Object.assign(new Error('x'), { name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } })),
    ).toBeUndefined();
    expect(classifyAwsError(new Error('plain'))).toBeUndefined();
  });

  it('parses the settings and refuses nonsense', () => {
    expect(parseFaultInjection(undefined, undefined)).toBeUndefined();
    expect(parseFaultInjection('0', 'throttling')).toBeUndefined();
    expect(parseFaultInjection('0.05', undefined)).toEqual({ rate: 0.05, kinds: ['throttling', 'timeout', '5xx'] });
    expect(parseFaultInjection('0.1', 'throttling, late-timeout')).toEqual({ rate: 0.1, kinds: ['throttling', 'late-timeout'] });
    expect(() => parseFaultInjection('0.9', undefined)).toThrow(/KYSO_FAULT_RATE/);
    expect(() => parseFaultInjection('0.05', 'meteor')).toThrow(/unknown kind "meteor"/);
  });
});
