import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { dynamoConsoleRepository } from '../../functions/aws/dynamo-console-repository.js';
import { loginCounters } from '../../shared/console/sign-in.js';

/** The sign-in counters' DynamoDB adapter on the local endpoint, with the attempt's instant under the test's control. */
const repo = () =>
  dynamoConsoleRepository({
    client: DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: inject('awsEndpoint'),
        region: 'ap-southeast-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      }),
    ),
    tableName: 'kyso',
  });

// A quarter-hour boundary (where a fixed 15-minute window would end), and the instants around it.
const boundary = Date.UTC(2026, 11, 2, 3, 0, 0);
const at = (offsetSeconds: number) => new Date(boundary + offsetSeconds * 1000);

describe('sign-in counters (DynamoDB)', () => {
  it('lets 5 attempts per account and address through a burst across a quarter hour, then again 15 minutes after the first', async () => {
    const console = repo();
    const email = `${randomUUID()}@kyso.test`;
    const before = loginCounters(email, '198.51.100.7', at(-2));
    for (let i = 0; i < 5; i++) expect(await console.reserveLoginAttempt(before)).toBe(true);
    // A fixed window would start afresh at the boundary and let five more through here.
    const after = loginCounters(email, '198.51.100.7', at(2));
    expect(await console.reserveLoginAttempt(after)).toBe(false);
    expect(await console.reserveLoginAttempt(loginCounters(email, '198.51.100.7', at(15 * 60 - 3)))).toBe(false);
    // The window opened with the first attempt (at -2 s): it has run out 15 minutes later.
    expect(await console.reserveLoginAttempt(loginCounters(email, '198.51.100.7', at(15 * 60 - 2)))).toBe(true);
  });

  it('admits exactly the limit of 40 attempts made at the same instant, and a success gives its place back', async () => {
    const console = repo();
    const email = `${randomUUID()}@kyso.test`;
    const counters = loginCounters(email, '198.51.100.8', at(0));
    const results = await Promise.all(Array.from({ length: 40 }, () => console.reserveLoginAttempt(counters)));
    expect(results.filter(Boolean)).toHaveLength(5);
    await console.releaseLoginAttempt(counters);
    expect(await console.reserveLoginAttempt(counters)).toBe(true);
    expect(await console.reserveLoginAttempt(counters)).toBe(false);
  });
});
