import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Envelope } from '../../shared/envelope/types.js';
import type { LabourIndex, LabourReportRow } from '../../shared/labour/ports.js';
import { isLate, isOverdue } from '../../shared/labour/sweep-registrations.js';
import { sha256Hex } from '../../shared/util/bytes.js';
import type { TableOptions } from './dynamo-table.js';

/**
 *   pk                         sk                              item
 *   LABOUROWED#<0..7>          t#e                             a registration not registered yet (what the labour-registrations sweep walks)
 *   TENANT#t                   LABOUR#<completedAt>#e          report row of a completed labour contract
 *   TENANT#t                   LABOURID#<nationalId>           national identifier → envelope id
 *
 * Projections of the envelope's `labourContract.registration`, rewritten (puts and a delete,
 * all idempotent) by whatever changes it: the `labour-registration` outbox effect, each
 * delivery attempt, the sweep. The owed item is deleted last, so a crash between the envelope's
 * write and its projection leaves the envelope in the sweep's list, and the sweep rewrites it.
 * (Not a TransactWriteItems with the envelope: moto copies the whole table per transaction —
 * ARCHITECTURE.md, "State changes and the outbox".)
 */
const SHARDS = 8;
const shardOf = (tenantId: string, envelopeId: string) => Number.parseInt(sha256Hex(`${tenantId}#${envelopeId}`).slice(0, 2), 16) % SHARDS;
const owedKey = (tenantId: string, envelopeId: string) => ({
  pk: `LABOUROWED#${shardOf(tenantId, envelopeId)}`,
  sk: `${tenantId}#${envelopeId}`,
});

export const reportRow = (e: Envelope, now: Date): LabourReportRow | undefined => {
  const c = e.labourContract;
  const r = c?.registration;
  if (!c || !r) return undefined;
  return {
    envelopeId: e.id,
    title: e.title,
    act: c.act,
    completedAt: r.owedSince,
    employeeName: c.terms.employee.name,
    employeeIdNumber: c.terms.employee.idNumber,
    employerTaxCode: c.terms.employer.taxCode,
    contractType: c.terms.contractType,
    startDate: c.terms.startDate,
    ...(c.terms.endDate ? { endDate: c.terms.endDate } : {}),
    status: r.status,
    ...(r.nationalId ? { nationalId: r.nationalId } : {}),
    ...(c.relatesTo ? { relatesTo: c.relatesTo.nationalId } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    late: !!r.lateSince || isLate(r, now),
    overdue: !!r.overdueSince || isOverdue(r, now),
    converted: !!c.conversion,
  };
};

export const dynamoLabourIndex = ({ client, tableName }: TableOptions, clock: { now(): Date }): LabourIndex => ({
  async record(e) {
    const reg = e.labourContract?.registration;
    if (!reg) return;
    const row = reportRow(e, new Date(e.updatedAt)) as LabourReportRow;
    const put = (Item: Record<string, unknown>) => client.send(new PutCommand({ TableName: tableName, Item }));
    await put({ pk: `TENANT#${e.tenantId}`, sk: `LABOUR#${reg.owedSince}#${e.id}`, ...row });
    if (reg.nationalId) await put({ pk: `TENANT#${e.tenantId}`, sk: `LABOURID#${reg.nationalId}`, envelopeId: e.id });
    if (reg.status === 'registered') await client.send(new DeleteCommand({ TableName: tableName, Key: owedKey(e.tenantId, e.id) }));
    else await put({ ...owedKey(e.tenantId, e.id), tenantId: e.tenantId, envelopeId: e.id });
  },
  async listOwed(cursor) {
    // The cursor is "<shard>" or "<shard>|<last sk>": one partition after the other.
    const [shardRaw, after] = (cursor ?? '0').split('|');
    const shard = Number(shardRaw);
    const r = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `LABOUROWED#${shard}` },
        Limit: 200,
        ...(after ? { ExclusiveStartKey: { pk: `LABOUROWED#${shard}`, sk: after } } : {}),
      }),
    );
    const items = (r.Items ?? []).map((i) => ({ tenantId: i.tenantId as string, envelopeId: i.envelopeId as string }));
    const last = r.LastEvaluatedKey?.sk as string | undefined;
    const next = last ? `${shard}|${last}` : shard + 1 < SHARDS ? String(shard + 1) : undefined;
    return { items, ...(next ? { cursor: next } : {}) };
  },
  async findByNationalId(tenantId, nationalId) {
    const r = await client.send(
      new GetCommand({ TableName: tableName, Key: { pk: `TENANT#${tenantId}`, sk: `LABOURID#${nationalId}` }, ConsistentRead: true }),
    );
    return r.Item?.envelopeId as string | undefined;
  },
  async report(tenantId, from, to) {
    const rows: LabourReportRow[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':from': `LABOUR#${from}`, ':to': `LABOUR#${to}` },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of r.Items ?? []) {
        const { pk: _pk, sk, ...row } = item;
        // BETWEEN is inclusive; `to` is exclusive in the report.
        if ((sk as string).slice('LABOUR#'.length) >= to) continue;
        const typed = row as LabourReportRow & { lateSince?: string };
        // late/overdue as of now, not as of the row's last write.
        const now = clock.now();
        const owed = { status: typed.status, owedSince: typed.completedAt, attempts: 0 } as const;
        rows.push({ ...typed, late: typed.late || isLate(owed, now), overdue: typed.overdue || isOverdue(owed, now) });
      }
      start = r.LastEvaluatedKey;
    } while (start);
    return rows;
  },
});
