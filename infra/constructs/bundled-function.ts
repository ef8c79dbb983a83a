import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The repository root: entry points and assets are named relative to it. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const requireFromRepo = createRequire(join(REPO_ROOT, 'package.json'));

/** A file the code reads at run time, copied into the bundle beside the code. */
export type RuntimeFile =
  /** A file of this repository, at the same relative path inside the bundle. */
  | { readonly repoPath: string }
  /** A file of an npm package, under `node_modules/<package>/` so `require.resolve` finds it. */
  | { readonly packageFile: string };

export interface BundledFunctionProps {
  /** Entry point, relative to the repository root (e.g. `functions/api/lambda.ts`). */
  readonly entry: string;
  readonly description: string;
  /**
   * Where the bundle sits inside the deployment package, relative to its root. A bundle has one
   * `import.meta.url`: put it at the depth of the module that resolves files relative to itself,
   * so those relative URLs land where `runtimeFiles` were copied. @default `index.mjs`
   */
  readonly bundlePath?: string;
  /** Files read at run time (web assets, fonts): copied after bundling. */
  readonly runtimeFiles?: readonly RuntimeFile[];
  readonly environment?: Readonly<Record<string, string>>;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** Caps concurrent executions (protects KMS and SES quotas). @default no reservation */
  readonly reservedConcurrentExecutions?: number;
  /** @default one year */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A Lambda function bundled locally with esbuild (never Docker): Node 22 on arm64, ESM,
 * the AWS SDK bundled in (a pinned, tested version rather than whatever the runtime ships),
 * JSON log format and a log group with a retention and RETAIN.
 */
export class BundledFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const bundlePath = props.bundlePath ?? 'index.mjs';
    const copies = (props.runtimeFiles ?? []).map((f) =>
      'repoPath' in f
        ? { from: join(REPO_ROOT, f.repoPath), to: f.repoPath }
        : { from: requireFromRepo.resolve(f.packageFile), to: join('node_modules', f.packageFile) },
    );
    const packageJsons = [
      ...new Set((props.runtimeFiles ?? []).flatMap((f) => ('packageFile' in f ? [packageName(f.packageFile)] : []))),
    ].map((name) => ({ from: requireFromRepo.resolve(`${name}/package.json`), to: join('node_modules', name, 'package.json') }));

    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, props.entry),
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      projectRoot: REPO_ROOT,
      handler: `${bundlePath.replace(/\.mjs$/, '')}.handler`,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      ...(props.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions } : {}),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // X-Ray: Powertools' tracer (functions/tracer.ts) adds a subsegment per AWS call and outbound fetch.
      tracing: lambda.Tracing.ACTIVE,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        externalModules: [],
        mainFields: ['module', 'main'],
        // CommonJS dependencies inside an ESM bundle still call require(): give them one.
        banner: "import{createRequire as __kysoRequire}from'node:module';globalThis.require??=__kysoRequire(import.meta.url);",
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir, outputDir) => [
            ...(bundlePath === 'index.mjs'
              ? []
              : [
                  `mkdir -p "${join(outputDir, dirname(bundlePath))}"`,
                  `mv "${join(outputDir, 'index.mjs')}" "${join(outputDir, bundlePath)}"`,
                  `mv "${join(outputDir, 'index.mjs.map')}" "${join(outputDir, `${bundlePath}.map`)}"`,
                ]),
            ...[...copies, ...packageJsons].flatMap(({ from, to }) => [
              `mkdir -p "${join(outputDir, dirname(to))}"`,
              `cp "${from}" "${join(outputDir, to)}"`,
            ]),
          ],
        },
      },
    });
  }
}

const packageName = (file: string) => {
  const parts = file.split('/');
  return (file.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
};
