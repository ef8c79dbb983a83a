import { describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../functions/aws/clients.js';
import { injectedError } from '../../../functions/aws/fault-injection.js';
import { awsDependencyChecks } from '../../../functions/aws/health-checks.js';

const config = {
  tableName: 't',
  bucketName: 'b',
  keyAliasPrefix: 'alias/kyso',
  queueUrls: {},
  adminKeySecretId: undefined,
  providerSecretsId: undefined,
} as never;

/** The SES probe against a client that fails its first `failures` calls with `error`. */
const sesProbe = (failures: number, error: () => Error) => {
  let calls = 0;
  const ses = {
    send: async () => {
      calls++;
      if (calls <= failures) throw error();
      return { Max24HourSend: 200 };
    },
  };
  const check = awsDependencyChecks({ ses } as unknown as AwsClients, config).ses;
  if (!check) throw new Error('no SES probe');
  return { run: () => check(new AbortController().signal), calls: () => calls };
};

describe('SES health probe (its client makes one attempt)', () => {
  it('retries a throttled or timed-out read, so one bad attempt does not mark SES down', async () => {
    const throttled = sesProbe(2, () => injectedError('throttling'));
    await expect(throttled.run()).resolves.toBeUndefined();
    expect(throttled.calls()).toBe(3);
    const timedOut = sesProbe(1, () => injectedError('timeout'));
    await expect(timedOut.run()).resolves.toBeUndefined();
    expect(timedOut.calls()).toBe(2);
  });

  it('reports down after three failed attempts, and at once on an error that is not transient', async () => {
    const down = sesProbe(5, () => injectedError('5xx'));
    await expect(down.run()).rejects.toThrow(/injected fault/);
    expect(down.calls()).toBe(3);
    const denied = sesProbe(5, () =>
      Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }),
    );
    await expect(denied.run()).rejects.toThrow('not allowed');
    expect(denied.calls()).toBe(1);
  });
});
