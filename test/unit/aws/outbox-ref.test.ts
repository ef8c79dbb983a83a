import { describe, expect, it } from 'vitest';
import { dynamoOutbox, keyOfRef, outboxKey } from '../../../functions/aws/dynamo-outbox.js';
import type { OutboxItem } from '../../../shared/envelope/effects.js';

const outbox = dynamoOutbox({ client: {} as never, tableName: 'kyso' });
const item = (tenantId: string): OutboxItem =>
  ({ id: 'e.4.2', tenantId, envelopeId: 'Zx_9-abcDEF0', version: 4, index: 2, commitId: 'c-_1a2b3c4d5e6' }) as OutboxItem;

describe('outbox references (the SES tag naming the item that owes an email)', () => {
  it('are SES tag values that lead back to the item’s key, even for a tenant id with # in it', () => {
    for (const tenant of ['dev', 'acme#vn', 'công-ty']) {
      const ref = outbox.refOf(item(tenant)) as string;
      expect(ref).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
      expect(keyOfRef(ref)).toEqual(outboxKey(item(tenant)));
    }
  });

  it('are refused when they would not fit a tag, and junk is no key', () => {
    expect(outbox.refOf(item('t'.repeat(200)))).toBeUndefined();
    expect(keyOfRef('has spaces')).toBeUndefined();
    expect(keyOfRef(Buffer.from('a#b#c').toString('base64url'))).toBeUndefined();
    expect(keyOfRef(Buffer.from('t#e#0004#002#c').toString('base64url'))).toBeUndefined();
  });
});
