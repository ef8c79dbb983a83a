import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/main.js';

/**
 * Synthesizes the stack once per test file. Without `bundle`, esbuild is skipped (CDK's
 * `aws:cdk:bundling-stacks` context) so property tests stay fast; the bundle test turns it on.
 */
export const synthKyso = (options: { bundle?: boolean; context?: Record<string, unknown> } = {}) => {
  const outdir = mkdtempSync(join(tmpdir(), 'kyso-cdk-'));
  const { app, stack } = buildApp(
    {
      'kyso:mailFrom': 'no-reply@mail.example.vn',
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
    outdir,
  );
  const template = Template.fromStack(stack);
  return { app, stack, template, outdir, json: template.toJSON() as CfnTemplate };
};

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, unknown>;
}

/** Resources of one type, by logical id. */
export const resourcesOf = (t: CfnTemplate, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

/** The logical id of the function whose description starts with `prefix`. */
export const functionId = (t: CfnTemplate, prefix: string) => {
  const found = resourcesOf(t, 'AWS::Lambda::Function').find(([, r]) => String(r.Properties?.Description ?? '').startsWith(prefix));
  if (!found) throw new Error(`no function described "${prefix}..."`);
  return found[0];
};

/** The logical id of a function's execution role. */
export const roleIdOf = (t: CfnTemplate, fnId: string) => {
  const role = t.Resources[fnId]?.Properties?.Role as { 'Fn::GetAtt': [string, string] } | undefined;
  if (!role) throw new Error(`${fnId} has no role`);
  return role['Fn::GetAtt'][0];
};

export const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** A resource's properties; throws if the resource is missing. */
export const propsOf = (t: CfnTemplate, id: string): Record<string, unknown> => {
  const r = t.Resources[id];
  if (!r) throw new Error(`no resource ${id}`);
  return r.Properties ?? {};
};
