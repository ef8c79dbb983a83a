#!/usr/bin/env node
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import type { KeyProvider } from './key-provider.js';
import { Pkcs11Provider } from './pkcs11-provider.js';
import { DEFAULT_AGENT_PORT } from './protocol.js';
import { startAgent } from './server.js';
import { pemProvider, pkcs12Provider } from './software-provider.js';

const USAGE = `kyso-agent: local signing agent for Kyso (docs/agent-protocol.md)

  npx tsx tools/kyso-agent/main.ts --p12 me.p12 --password '...' [--origin https://app.kyso.vn] [--port ${DEFAULT_AGENT_PORT}]
  npx tsx tools/kyso-agent/main.ts --key key.pem --cert chain.pem [--origin ...]
  npx tsx tools/kyso-agent/main.ts --pkcs11 /path/to/vendor-p11.so      (not implemented yet)

  --origin   web origin allowed to use the agent (repeatable; default http://localhost:3000)
  --yes      approve every signature without asking (tests only: any paired page can then sign)
`;

const main = async () => {
  const { values } = parseArgs({
    options: {
      p12: { type: 'string' },
      password: { type: 'string' },
      key: { type: 'string' },
      cert: { type: 'string' },
      pkcs11: { type: 'string' },
      origin: { type: 'string', multiple: true },
      port: { type: 'string' },
      yes: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const rl = process.stdin.isTTY ? createInterface({ input: process.stdin, output: process.stderr }) : undefined;
  let provider: KeyProvider;
  if (values.p12) {
    const password = values.password ?? (rl ? await rl.question('PKCS#12 password: ') : '');
    provider = await pkcs12Provider(values.p12, password);
  } else if (values.key && values.cert) {
    provider = await pemProvider(values.key, values.cert, values.password);
  } else if (values.pkcs11) {
    provider = new Pkcs11Provider({ module: values.pkcs11, pin: async () => (rl ? rl.question('Token PIN: ') : '') });
    await provider.list();
  } else {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  const origins = values.origin?.length ? values.origin : ['http://localhost:3000'];
  if (values.yes) process.stderr.write('WARNING: --yes approves every signature a paired page asks for.\n');
  const agent = await startAgent(
    {
      provider,
      allowedOrigins: origins,
      showPairingCode: (code, origin) => process.stderr.write(`\nPairing request from ${origin}. Code: ${code}\n`),
      confirm: async (p) => {
        process.stderr.write(
          `\nSign for ${p.origin}\n  as: ${p.signer}\n  document: ${p.title ?? '?'} ${p.documentSha256 ?? ''}\n  message digest: ${p.messageDigest}\n`,
        );
        if (values.yes) return true;
        if (!rl) return false;
        return /^(y|yes|c|có|co)$/i.test((await rl.question('Approve? [y/N] ')).trim());
      },
    },
    Number(values.port ?? DEFAULT_AGENT_PORT),
  );
  for (const k of await provider.list())
    process.stderr.write(`key ${k.id.slice(0, 16)}… (${k.algorithm}), ${k.chain.length} certificate(s)\n`);
  process.stdout.write(`kyso-agent listening on ${agent.url} for ${origins.join(', ')}\n`);
};

main().catch((e) => {
  process.stderr.write(`kyso-agent: ${(e as Error).message}\n`);
  process.exit(1);
});
