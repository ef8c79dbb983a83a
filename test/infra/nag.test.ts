import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import cdkNag from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { synthKyso } from './synth.js';

interface Report {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

describe('cdk-nag AwsSolutionsChecks', () => {
  it('finds nothing that is not acknowledged with a reason in code', () => {
    const { app, outdir } = synthKyso();
    Validations.of(app).addPlugins(new cdkNag.AwsSolutionsChecks(app, { verbose: true }));
    let failure: unknown;
    try {
      app.synth({ force: true });
    } catch (e) {
      failure = e;
    }
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as Report;
    const violations = report.pluginReports.flatMap((r) =>
      r.violations.map((v) => `${v.ruleName} at ${v.violatingConstructs.map((x) => x.constructPath).join(', ')}`),
    );
    expect(violations).toEqual([]);
    expect(failure).toBeUndefined();
    // A passing run writes no plugin report; the canary below shows the plugin does report.
    expect(report.pluginReports.filter((r) => r.conclusion !== 'success')).toEqual([]);

    // Every acknowledgement carries a real reason.
    const acknowledged = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledged) expect(reason.length, id).toBeGreaterThan(30);
  });

  it('is really running (canary: a bare queue is reported)', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'kyso-nag-')) });
    new sqs.Queue(new Stack(app, 'Canary'), 'Bare');
    Validations.of(app).addPlugins(new cdkNag.AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  });
});
