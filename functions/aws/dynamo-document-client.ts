import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { convertToAttr, convertToNative, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { countAwsCall } from '../request-scope.js';
import { tracer } from '../tracer.js';
import { classifyAwsError } from './aws-errors.js';
import { type FaultInjection, faultInjectionMiddleware, type InjectedFault } from './fault-injection.js';
import { type SigningCredentials, signV4 } from './sigv4.js';

/** What every adapter on the table sends its commands to: lib-dynamodb's commands, native values in and out. */
export type DocumentClient = Pick<DynamoDBDocumentClient, 'send'>;

export interface DocumentClientOptions {
  /** The local AWS endpoint (moto, LocalStack); without one, DynamoDB's regional endpoint. */
  readonly endpoint?: string;
  readonly region: string;
  /** The SDK's resolved credential provider (memoised and refreshed by the SDK). */
  readonly credentials: () => Promise<SigningCredentials>;
  readonly connectionTimeoutMs: number;
  /** Each attempt, from sending to the whole answer. */
  readonly requestTimeoutMs: number;
  /** Attempts in all, as the SDK's DynamoDB client: 4. */
  readonly maxAttempts?: number;
  readonly faults?: FaultInjection;
  readonly onFault?: (fault: InjectedFault) => void;
  /** Tests: the backoff's randomness and sleep. */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The document commands this client speaks, by the DynamoDB operation each one is. */
const OPERATIONS = new Map<unknown, string>([
  [GetCommand, 'GetItem'],
  [PutCommand, 'PutItem'],
  [UpdateCommand, 'UpdateItem'],
  [DeleteCommand, 'DeleteItem'],
  [QueryCommand, 'Query'],
  [ScanCommand, 'Scan'],
  [BatchGetCommand, 'BatchGetItem'],
  [BatchWriteCommand, 'BatchWriteItem'],
  [TransactGetCommand, 'TransactGetItems'],
  [TransactWriteCommand, 'TransactWriteItems'],
]);

/** Which members of a command's input and output hold native values (lib-dynamodb's own description of each command). */
type KeyNodes = { readonly [key: string]: KeyNodes } | readonly unknown[] | null | undefined;
interface DocumentCommand {
  readonly input: Record<string, unknown>;
  readonly inputKeyNodes: KeyNodes;
  readonly outputKeyNodes: KeyNodes;
}

type Convert = (value: unknown) => unknown;

/**
 * Converts the members `nodes` names, as lib-dynamodb's marshalling middleware does: null is the
 * value itself, {} or [] every value of an object or array, { '*': n } every entry by n, any
 * other object those keys by their nodes (the rest copied as they are).
 */
const convertAt = (value: unknown, nodes: KeyNodes, convert: Convert): unknown => {
  if (value === undefined) return undefined;
  if (nodes == null) return convert(value);
  const keys = Object.keys(nodes);
  if (keys.length === 0) return eachValue(value, (v) => (v === undefined ? undefined : convert(v)));
  if (keys.length === 1 && keys[0] === '*') return eachValue(value, (v) => convertAt(v, (nodes as Record<string, KeyNodes>)['*'], convert));
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const key of keys) {
    const converted = convertAt((value as Record<string, unknown>)[key], (nodes as Record<string, KeyNodes>)[key], convert);
    if (converted !== undefined) out[key] = converted;
  }
  return out;
};

const eachValue = (value: unknown, f: (v: unknown) => unknown): unknown => {
  if (Array.isArray(value)) return value.map(f);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const converted = f(v);
    if (converted !== undefined) out[k] = converted;
  }
  return out;
};

const MARSHALL = { removeUndefinedValues: true, convertTopLevelContainer: true } as const;
const toAttribute: Convert = (v) => convertToAttr(v as NativeAttributeValue, MARSHALL);
const toNative: Convert = (v) => convertToNative(withBinary(v) as never);

/** Bytes as the SDK gives them: a Uint8Array of their own (not a Buffer, which may share a pool). */
const fromBase64 = (b64: string): Uint8Array => Uint8Array.from(Buffer.from(b64, 'base64'));

/** The JSON protocol carries binary (B, BS) as base64: back to bytes before conversion. */
const withBinary = (attr: unknown): unknown => {
  if (!attr || typeof attr !== 'object') return attr;
  const a = attr as Record<string, unknown>;
  if (typeof a.B === 'string') return { B: fromBase64(a.B) };
  if (Array.isArray(a.BS)) return { BS: a.BS.map((b) => fromBase64(String(b))) };
  if (Array.isArray(a.L)) return { L: a.L.map(withBinary) };
  if (a.M && typeof a.M === 'object') {
    const m: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a.M)) m[k] = withBinary(v);
    return { M: m };
  }
  return attr;
};

/** Bytes in the request go out as base64, as the SDK's serializer writes them. */
const jsonWithBinary = (_key: string, value: unknown): unknown =>
  value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') : value;

interface AwsError extends Error {
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
  code?: string;
  [member: string]: unknown;
}

const awsError = (name: string, message: string, extra: Partial<AwsError> = {}): AwsError =>
  Object.assign(new Error(message), { name, ...extra }) as AwsError;

/** DynamoDB's error body: `__type` ("com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"), a message, and members such as CancellationReasons. */
const errorFromAnswer = (status: number, body: string, requestId: string | undefined): AwsError => {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    // not JSON: a proxy or an outage page
  }
  const type = typeof parsed.__type === 'string' ? parsed.__type : '';
  const name = type.slice(type.lastIndexOf('#') + 1) || (status >= 500 ? 'InternalServerError' : `Http${status}Error`);
  const { __type: _type, message, Message, ...members } = parsed;
  return awsError(name, String(message ?? Message ?? `DynamoDB answered ${status}`), {
    ...members,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, ...(requestId ? { requestId } : {}) },
  });
};

/**
 * A DynamoDB document client that speaks DynamoDB's JSON protocol itself: lib-dynamodb's commands
 * in, their outputs out, with the same conversion of native values (the commands' own key nodes,
 * removeUndefinedValues on), the same errors (name, $fault, $metadata, CancellationReasons), the
 * same retries (4 attempts; throttling, timeouts, network and server failures, as
 * classifyAwsError tells them; exponential backoff with full jitter, 100 ms base, 500 ms when
 * throttled, ≤ 20 s), bounded attempts, and our call counting, fault injection and (on Lambda)
 * X-Ray subsegments. It exists because the SDK's pipeline (middleware stack, schema serde,
 * endpoint rules, user agent) cost about 1 ms of CPU per call, which a sign request paid ten
 * times (issue 16); this costs about a quarter of that. Not implemented: the SDK's client-side
 * retry quota, and the x-amz-crc32 check (the connection is TLS on AWS).
 */
export const createDocumentClient = (options: DocumentClientOptions): DocumentClient => {
  const url = new URL(options.endpoint ?? `https://dynamodb.${options.region}.amazonaws.com`);
  const secure = url.protocol === 'https:';
  const transport = secure ? https : http;
  const agent = new transport.Agent({ keepAlive: true, maxSockets: 50 });
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  const path = url.pathname || '/';
  const maxAttempts = options.maxAttempts ?? 4;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const scope = { region: options.region, service: 'dynamodb' };

  /** One attempt: the answer's status, body and request id, or a network/timeout error. */
  const post = (operation: string, body: string, credentials: SigningCredentials) =>
    new Promise<{ status: number; text: string; requestId?: string }>((resolve, reject) => {
      const headers = signV4(
        {
          method: 'POST',
          host: url.host,
          path,
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation}` },
          body,
        },
        scope,
        credentials,
        new Date(),
      );
      headers['content-length'] = String(Buffer.byteLength(body));
      let settled = false;
      const fail = (e: AwsError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(e);
      };
      const req = transport.request({ host: url.hostname, port, path, method: 'POST', headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => fail(e as AwsError));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const requestId = res.headers['x-amzn-requestid'];
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            ...(typeof requestId === 'string' ? { requestId } : {}),
          });
        });
      });
      const timer = setTimeout(
        () =>
          fail(awsError('TimeoutError', `DynamoDB ${operation}: no answer within ${options.requestTimeoutMs} ms`, { code: 'ETIMEDOUT' })),
        options.requestTimeoutMs,
      );
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        const connectTimer = setTimeout(
          () =>
            fail(
              awsError('TimeoutError', `DynamoDB ${operation}: no connection within ${options.connectionTimeoutMs} ms`, {
                code: 'ETIMEDOUT',
              }),
            ),
          options.connectionTimeoutMs,
        );
        socket.once('connect', () => clearTimeout(connectTimer));
        socket.once('close', () => clearTimeout(connectTimer));
      });
      req.on('error', (e) => fail(e as AwsError));
      req.end(body);
    });

  /** One attempt through the fault injector (test mode), which may fail it before or after it is sent. */
  const attempt = options.faults
    ? (operation: string, body: string, credentials: SigningCredentials) =>
        faultInjectionMiddleware(options.faults as FaultInjection, options.onFault)(
          (args: { operation: string; body: string; credentials: SigningCredentials }) => post(args.operation, args.body, args.credentials),
          { clientName: 'DynamoDBClient', commandName: `${operation}Command` },
        )({ operation, body, credentials })
    : post;

  const call = async (operation: string, body: string): Promise<Record<string, unknown>> => {
    for (let n = 1; ; n++) {
      let error: AwsError;
      try {
        const answer = await attempt(operation, body, await options.credentials());
        if (answer.status === 200) {
          const output = (answer.text ? JSON.parse(answer.text) : {}) as Record<string, unknown>;
          output.$metadata = { httpStatusCode: 200, requestId: answer.requestId, attempts: n };
          return output;
        }
        error = errorFromAnswer(answer.status, answer.text, answer.requestId);
      } catch (e) {
        error = e as AwsError;
      }
      const kind = classifyAwsError(error);
      if (!kind || n >= maxAttempts) {
        if (error.$metadata) error.$metadata.attempts = n;
        throw error;
      }
      const base = kind === 'throttled' ? 500 : 100;
      await sleep(Math.floor(random() * Math.min(20_000, base * 2 ** n)));
    }
  };

  const send = async (command: DocumentCommand): Promise<unknown> => {
    const operation = OPERATIONS.get(command.constructor);
    if (!operation) throw new Error(`${command.constructor.name} is not a DynamoDB document command this client sends`);
    countAwsCall(`DynamoDB.${operation}`);
    const input = convertAt(command.input, command.inputKeyNodes, toAttribute) as Record<string, unknown>;
    // As the SDK does: a transaction carries an idempotency token, the same on every attempt, so a retry
    // after a lost answer is DynamoDB's "already done", not a second write meeting its own conditions.
    if (operation === 'TransactWriteItems' && input.ClientRequestToken === undefined) input.ClientRequestToken = randomUUID();
    const body = JSON.stringify(input, jsonWithBinary);
    const output = await tracer.captureCall('DynamoDB', operation, () => call(operation, body));
    return convertAt(output, command.outputKeyNodes, toNative);
  };
  return { send } as unknown as DocumentClient;
};
