#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { pemBlocks } from './chain.js';
import type { KeyProvider } from './key-provider.js';
import { Pkcs11Provider } from './pkcs11-provider.js';
import { DEFAULT_AGENT_PORT } from './protocol.js';
import { AGENT_VERSION, describeKey, startAgent } from './server.js';
import { pemProvider, pkcs12Provider } from './software-provider.js';
import { openTerminal } from './terminal.js';
import { TokenError } from './token-errors.js';

const USAGE = `kyso-agent ${AGENT_VERSION}: local signing agent for Kyso (docs/agent-protocol.md)

  kyso-agent --pkcs11 /path/to/vendor-pkcs11.so [--slot N] [--chain issuers.pem] [--origin https://app.kyso.vn]
  kyso-agent --p12 me.p12 [--password '...'] [--origin ...]
  kyso-agent --key key.pem --cert chain.pem [--origin ...]
  (from a checkout: npm run agent -- <options>)

  --pkcs11   the USB token's PKCS#11 module (.so / .dll / .dylib from the CA's driver)
  --slot     slot ID of the token (default: the first slot with a token; the agent lists them)
  --chain    PEM file with issuer certificates the token does not hold
  --origin   web origin allowed to use the agent (repeatable; default http://localhost:3000)
  --port     port on 127.0.0.1 (default ${DEFAULT_AGENT_PORT}; 0 picks a free one)
  --yes      approve every signature without asking (tests only: any paired page can then sign)
  --version  print the version

  The token PIN is asked here, on this terminal, never by the web page. For tests and
  automation only: --pin-stdin reads it from the first line of standard input (a pipe), and
  the KYSO_AGENT_PIN environment variable supplies it (other processes of the same user can read
  a process's environment: never use it on a person's computer).
`;

const main = async () => {
  const { values } = parseArgs({
    options: {
      p12: { type: 'string' },
      password: { type: 'string' },
      key: { type: 'string' },
      cert: { type: 'string' },
      pkcs11: { type: 'string' },
      slot: { type: 'string' },
      chain: { type: 'string' },
      'pin-stdin': { type: 'boolean' },
      origin: { type: 'string', multiple: true },
      port: { type: 'string' },
      yes: { type: 'boolean' },
      help: { type: 'boolean' },
      version: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (values.version) {
    process.stdout.write(`kyso-agent ${AGENT_VERSION} (node ${process.versions.node}, ${process.platform}-${process.arch})\n`);
    return;
  }
  const terminal = openTerminal();
  let provider: KeyProvider;
  if (values.p12) {
    const password = values.password ?? (terminal.interactive ? await terminal.askHidden('PKCS#12 password: ') : '');
    provider = await pkcs12Provider(values.p12, password);
  } else if (values.key && values.cert) {
    provider = await pemProvider(values.key, values.cert, values.password);
  } else if (values.pkcs11) {
    provider = await openToken(values.pkcs11, values, terminal);
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
        if (!terminal.interactive) return false;
        return /^(y|yes|c|có|co)$/i.test((await terminal.ask('Approve? / Đồng ý ký? [y/N] ')).trim());
      },
    },
    Number(values.port ?? DEFAULT_AGENT_PORT),
  );
  for (const k of await provider.list()) {
    const d = describeKey(k);
    process.stderr.write(
      `certificate ${k.id.slice(0, 16)}… ${d.subject} (issuer ${d.issuer}; ${k.algorithm}), chain of ${k.chain.length}\n`,
    );
  }
  process.stdout.write(`kyso-agent listening on ${agent.url} for ${origins.join(', ')}\n`);
};

/** The token: list the slots, pick one, then the provider reads its certificates and asks the PIN here. */
const openToken = async (
  module: string,
  values: { slot?: string; chain?: string; 'pin-stdin'?: boolean },
  terminal: ReturnType<typeof openTerminal>,
): Promise<Pkcs11Provider> => {
  const automatedPin = process.env.KYSO_AGENT_PIN;
  if (automatedPin) process.stderr.write('WARNING: PIN taken from KYSO_AGENT_PIN (tests and automation only).\n');
  const pinFromStdin = values['pin-stdin'] ? terminal.firstLine() : undefined;
  if (values.slot !== undefined && !/^\d+$/.test(values.slot)) throw new Error(`--slot takes a slot ID (a number), not ${values.slot}`);
  const extraCertificates = values.chain ? pemBlocks(await readFile(values.chain, 'utf8'), /CERTIFICATE/) : [];
  const interactive = !automatedPin && !pinFromStdin && terminal.interactive;
  const provider = new Pkcs11Provider({
    module,
    ...(values.slot !== undefined ? { slot: Number(values.slot) } : {}),
    extraCertificates,
    pinAttempts: interactive ? 3 : 1,
    pin: async () => {
      if (automatedPin) return automatedPin;
      if (pinFromStdin) return (await pinFromStdin).trim();
      if (!interactive) return '';
      return terminal.askHidden('Mã PIN của token / Token PIN: ');
    },
    onWrongPin: (finalTry) =>
      process.stderr.write(
        finalTry
          ? 'Mã PIN không đúng. Lần thử cuối: nhập sai nữa token sẽ bị khóa. / Wrong PIN. Last try before the token locks.\n'
          : 'Mã PIN không đúng, hãy nhập lại. / Wrong PIN, try again.\n',
      ),
  });
  for (const s of await provider.slots()) {
    process.stderr.write(`slot ${s.id}: ${s.label || '(no label)'} — ${s.manufacturer}, serial ${s.serial}\n`);
  }
  await provider.list();
  // Log out of the token and unload its module when the person stops the agent (Ctrl+C, or the OS closing it).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void provider.close().finally(() => process.exit(0));
    });
  }
  return provider;
};

main().catch((e) => {
  const code = e instanceof TokenError ? ` [${e.code}]` : '';
  process.stderr.write(`kyso-agent${code}: ${(e as Error).message}\n`);
  process.exit(1);
});
