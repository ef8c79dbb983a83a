import { parseArgs } from 'node:util';
import { createAwsClients } from '../functions/aws/clients.js';
import { loadConfig } from '../functions/config.js';
import { runRestoreDrill } from './restore-drill-lib.js';

/**
 * `npm run restore-drill -- [--at <ISO time>] [--tenant <id>] [--keep]`
 *
 * Restores the deployment's table (KYSO_TABLE) to the time and the bucket's (KYSO_BUCKET) object
 * versions as of that time into `<table>-drill-<stamp>` / `<bucket>-drill-<stamp>`, checks every
 * audit chain, signed head, document hash and identity image hash there, prints the report as JSON and exits 1 when
 * anything failed. The same AWS settings as the service (AWS_ENDPOINT_URL for moto/LocalStack,
 * AWS_REGION, KYSO_KEY_ALIAS_PREFIX). The targets are deleted afterwards unless --keep.
 * See infra/README.md "Restore drill".
 */
const main = async () => {
  const { values } = parseArgs({
    options: {
      at: { type: 'string' },
      tenant: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'wait-minutes': { type: 'string', default: '60' },
    },
  });
  const config = loadConfig();
  const at = values.at ? new Date(values.at) : new Date();
  if (Number.isNaN(at.getTime())) throw new Error(`--at must be an ISO time, got "${values.at}"`);
  const stamp = new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14);
  const clients = createAwsClients(config);
  const report = await runRestoreDrill({
    dynamo: clients.rawDynamo,
    doc: clients.dynamo,
    s3: clients.s3,
    kms: clients.kms,
    region: config.region,
    table: config.tableName,
    bucket: config.bucketName,
    at,
    targetTable: `${config.tableName}-drill-${stamp}`,
    targetBucket: `${config.bucketName}-drill-${stamp}`,
    ...(values.tenant ? { tenantId: values.tenant } : {}),
    keyAliasPrefix: config.keyAliasPrefix,
    waitMs: Number(values['wait-minutes']) * 60_000,
    pollMs: config.endpoint ? 200 : 10_000,
    cleanup: !values.keep,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.exitCode = report.ok ? 0 : 1;
};

main().catch((e) => {
  process.stderr.write(`restore drill failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
