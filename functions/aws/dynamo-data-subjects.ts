import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DataSubjectRequest, DataSubjectStore, ExportJob } from '../../shared/data-subjects/types.js';
import { AppError } from '../../shared/errors.js';
import { randomId } from '../../shared/util/bytes.js';
import { isConditionFailure, stripKeys, type TableOptions } from './dynamo-table.js';

/**
 *   pk                 sk                             item
 *   TENANT#t           DSKEY                          the tenant's secret for subject commitments (made once)
 *   TENANT#t           DSR#<receivedAt>#<id>          one personal-data request (newest first by sort key)
 *   TENANT#t#ENV#e     AUDIT#…                        an audit event, replaced by its erased form (same hash)
 *   TENANT#t           DSX#<jobId>                    an asynchronous export (ttl: a month after it was asked)
 */
/** Export jobs are forgotten a month after they were asked (their archive is gone after EXPORT_KEEP_DAYS). */
const EXPORT_JOB_TTL_SECONDS = 31 * 24 * 3600;

export const dynamoDataSubjects = ({ client, tableName }: TableOptions): DataSubjectStore => {
  const readExportJob = async (tenantId: string, jobId: string) => {
    const r = await client.send(
      new GetCommand({ TableName: tableName, Key: { pk: `TENANT#${tenantId}`, sk: `DSX#${jobId}` }, ConsistentRead: true }),
    );
    return stripKeys<ExportJob>(r.Item);
  };
  return {
    async subjectKey(tenantId) {
      const Key = { pk: `TENANT#${tenantId}`, sk: 'DSKEY' };
      const read = async () =>
        (await client.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }))).Item?.secret as string | undefined;
      const existing = await read();
      if (existing) return existing;
      try {
        const secret = randomId(32);
        await client.send(
          new PutCommand({ TableName: tableName, Item: { ...Key, secret }, ConditionExpression: 'attribute_not_exists(pk)' }),
        );
        return secret;
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        // Another request made it first: theirs is the key.
        const theirs = await read();
        if (!theirs) throw new AppError('conflict', 'Could not read the subject key; try again.');
        return theirs;
      }
    },
    async putRequest(request) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: `TENANT#${request.tenantId}`, sk: `DSR#${request.receivedAt}#${request.id}`, ...request },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (e) {
        // The same request recorded again (a retried export job's start): the first record stands.
        if (!isConditionFailure(e)) throw e;
      }
    },
    async listRequests(tenantId, { limit, cursor }) {
      const r = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':p': 'DSR#' },
          ScanIndexForward: false,
          Limit: limit,
          ...(cursor ? { ExclusiveStartKey: { pk: `TENANT#${tenantId}`, sk: `DSR#${cursor}` } } : {}),
        }),
      );
      const last = r.LastEvaluatedKey?.sk as string | undefined;
      return {
        items: (r.Items ?? []).map((i) => stripKeys<DataSubjectRequest>(i) as DataSubjectRequest),
        ...(last ? { cursor: last.slice(4) } : {}),
      };
    },
    async eraseAuditEvent(tenantId, envelopeId, erased) {
      const Key = { pk: `TENANT#${tenantId}#ENV#${envelopeId}`, sk: `AUDIT#${String(erased.seq).padStart(10, '0')}` };
      const stored = (await client.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }))).Item;
      if (!stored || stored.erasedAt) return false;
      try {
        // The whole item is replaced (nested personal keys go with it); only if nobody changed it since the read.
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...Key, ...erased, ...(stored.effectId ? { effectId: stored.effectId } : {}) },
            ConditionExpression: '#h = :h AND attribute_not_exists(erasedAt)',
            ExpressionAttributeNames: { '#h': 'hash' },
            ExpressionAttributeValues: { ':h': erased.hash },
          }),
        );
        return true;
      } catch (e) {
        if (isConditionFailure(e)) return false;
        throw e;
      }
    },
    async createExportJob(job) {
      const Key = { pk: `TENANT#${job.tenantId}`, sk: `DSX#${job.id}` };
      try {
        const ttl = Math.floor(Date.parse(job.createdAt) / 1000) + EXPORT_JOB_TTL_SECONDS;
        await client.send(
          new PutCommand({ TableName: tableName, Item: { ...Key, ...job, ttl }, ConditionExpression: 'attribute_not_exists(pk)' }),
        );
        return job;
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        const existing = await readExportJob(job.tenantId, job.id);
        if (!existing) throw new AppError('conflict', 'The export job could not be read back; try again.');
        return existing;
      }
    },
    getExportJob: (tenantId, jobId) => readExportJob(tenantId, jobId),
    async startExportAttempt(tenantId, jobId) {
      try {
        const r = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: `TENANT#${tenantId}`, sk: `DSX#${jobId}` },
            UpdateExpression: 'ADD attempts :one',
            ConditionExpression: '#s = :pending',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':one': 1, ':pending': 'pending' },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return Number(r.Attributes?.attempts ?? 1);
      } catch (e) {
        if (isConditionFailure(e)) return undefined;
        throw e;
      }
    },
    async finishExportJob(tenantId, jobId, outcome) {
      const values: Record<string, unknown> = { ':pending': 'pending' };
      const names: Record<string, string> = { '#s': 'status' };
      const sets = Object.entries(outcome).map(([k, v]) => {
        names[`#${k}`] = k;
        values[`:${k}`] = v;
        return `#${k} = :${k}`;
      });
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: `TENANT#${tenantId}`, sk: `DSX#${jobId}` },
            // The identifier was only needed to run the job.
            UpdateExpression: `SET ${sets.join(', ')} REMOVE #subject`,
            ConditionExpression: '#s = :pending',
            ExpressionAttributeNames: { ...names, '#subject': 'subject' },
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (e) {
        if (isConditionFailure(e)) return false;
        throw e;
      }
    },
    async setRequestExportStatus(request, status) {
      await client
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: `TENANT#${request.tenantId}`, sk: `DSR#${request.receivedAt}#${request.id}` },
            UpdateExpression: 'SET #e.#s = :s',
            ConditionExpression: 'attribute_exists(#e)',
            ExpressionAttributeNames: { '#e': 'export', '#s': 'status' },
            ExpressionAttributeValues: { ':s': status },
          }),
        )
        .catch((e) => {
          if (!isConditionFailure(e)) throw e;
        });
    },
  };
};
