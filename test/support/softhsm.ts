import { execFileSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as P11 from 'pkcs11js';
import { parseCertificate } from '../../shared/pki/certificate.js';

/**
 * SoftHSM2 (Debian's `softhsm2`, installed by .ci/run) as the USB token of the agent's tests:
 * a token in a temporary directory, keys generated on it through pkcs11js (never in this
 * process), certificates imported with the key's CKA_ID, as CA tools provision real tokens.
 */
const MODULE_CANDIDATES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
];

/**
 * The SoftHSM2 module, or undefined when the package is not installed (the only reason to skip,
 * on a developer's machine). CI (.ci/run) sets KYSO_REQUIRE_SOFTHSM=1: there a missing module
 * fails the run instead of skipping the token tests.
 */
export const softhsmModule = (): string | undefined => {
  const found = MODULE_CANDIDATES.find((p) => existsSync(p));
  if (!found && process.env.KYSO_REQUIRE_SOFTHSM === '1') {
    throw new Error(`KYSO_REQUIRE_SOFTHSM=1 but no SoftHSM2 module is installed (looked in ${MODULE_CANDIDATES.join(', ')})`);
  }
  return found;
};

const require = createRequire(import.meta.url);
const p11 = (): typeof P11 => require('pkcs11js') as typeof P11;

export const SO_PIN = '87654321';

export interface SoftToken {
  /** SOFTHSM2_CONF for this token's store: set it in any process that loads the module. */
  readonly conf: string;
  readonly slotId: number;
  readonly pin: string;
  readonly label: string;
}

/** A fresh token in `dir` (its own SOFTHSM2_CONF), initialised with softhsm2-util. Sets SOFTHSM2_CONF in this process. */
export const createSoftToken = (dir: string, label: string, pin: string): SoftToken => {
  mkdirSync(join(dir, 'tokens'), { recursive: true });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  );
  process.env.SOFTHSM2_CONF = conf;
  const out = execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', SO_PIN, '--pin', pin], {
    env: { ...process.env, SOFTHSM2_CONF: conf },
    encoding: 'utf8',
  });
  const slotId = Number(/reassigned to slot (\d+)/.exec(out)?.[1]);
  if (!Number.isFinite(slotId)) throw new Error(`softhsm2-util did not say the slot: ${out}`);
  return { conf, slotId, pin, label };
};

const slotHandle = (lib: P11.PKCS11, slotId: number): Buffer => {
  const slot = lib.C_GetSlotList(true).find((s) => Number(s.readBigUInt64LE(0)) === slotId);
  if (!slot) throw new Error(`no SoftHSM slot ${slotId}`);
  return slot;
};

/** Runs `fn` in a logged-in read-write session on the token, then unloads the module (the agent loads its own). */
export const withTokenSession = <T>(module: string, token: SoftToken, fn: (lib: P11.PKCS11, session: Buffer, k: typeof P11) => T): T => {
  const k = p11();
  const lib = new k.PKCS11();
  lib.load(module);
  lib.C_Initialize();
  try {
    const session = lib.C_OpenSession(slotHandle(lib, token.slotId), k.CKF_SERIAL_SESSION | k.CKF_RW_SESSION);
    lib.C_Login(session, k.CKU_USER, token.pin);
    try {
      return fn(lib, session, k);
    } finally {
      lib.C_Logout(session);
      lib.C_CloseSession(session);
    }
  } finally {
    lib.C_Finalize();
    lib.close();
  }
};

const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');

/** Generates a key pair on the token (private key non-extractable) and returns its public key as DER SubjectPublicKeyInfo. */
export const generateTokenKey = (
  module: string,
  token: SoftToken,
  spec: 'ECC_NIST_P256' | 'RSA_2048',
  ckaId: Buffer,
  /** CKA_ALWAYS_AUTHENTICATE: the PIN again for every signature (qualified-signature tokens). */
  alwaysAuthenticate = false,
): Uint8Array =>
  withTokenSession(module, token, (lib, session, k) => {
    const common = [
      { type: k.CKA_TOKEN, value: true },
      { type: k.CKA_ID, value: ckaId },
      { type: k.CKA_LABEL, value: `key ${ckaId.toString('hex')}` },
    ];
    const privateTemplate = [
      ...common,
      { type: k.CKA_PRIVATE, value: true },
      { type: k.CKA_SENSITIVE, value: true },
      { type: k.CKA_EXTRACTABLE, value: false },
      { type: k.CKA_SIGN, value: true },
      ...(alwaysAuthenticate ? [{ type: k.CKA_ALWAYS_AUTHENTICATE, value: true }] : []),
    ];
    if (spec === 'ECC_NIST_P256') {
      const { publicKey } = lib.C_GenerateKeyPair(
        session,
        { mechanism: k.CKM_EC_KEY_PAIR_GEN },
        [...common, { type: k.CKA_EC_PARAMS, value: P256_PARAMS }, { type: k.CKA_VERIFY, value: true }],
        privateTemplate,
      );
      // CKA_EC_POINT is a DER OCTET STRING around the uncompressed point 04||x||y.
      const point = Buffer.from(lib.C_GetAttributeValue(session, publicKey, [{ type: k.CKA_EC_POINT }])[0]?.value as Buffer);
      const raw = point.subarray(point.length - 65);
      const jwk = { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') };
      return new Uint8Array(createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'der', type: 'spki' }));
    }
    const { publicKey } = lib.C_GenerateKeyPair(
      session,
      { mechanism: k.CKM_RSA_PKCS_KEY_PAIR_GEN },
      [
        ...common,
        { type: k.CKA_MODULUS_BITS, value: 2048 },
        { type: k.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
        { type: k.CKA_VERIFY, value: true },
      ],
      privateTemplate,
    );
    const [n, e] = lib.C_GetAttributeValue(session, publicKey, [{ type: k.CKA_MODULUS }, { type: k.CKA_PUBLIC_EXPONENT }]);
    const b64 = (a: P11.Attribute | undefined) => Buffer.from(a?.value as Buffer).toString('base64url');
    const jwk = { kty: 'RSA', n: b64(n), e: b64(e) };
    return new Uint8Array(createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'der', type: 'spki' }));
  });

/** Stores an X.509 certificate on the token (public object), with the CKA_ID of its key, or none for a CA certificate. */
export const importCertificate = (module: string, token: SoftToken, der: Uint8Array, label: string, ckaId?: Buffer): void =>
  withTokenSession(module, token, (lib, session, k) => {
    lib.C_CreateObject(session, [
      { type: k.CKA_CLASS, value: k.CKO_CERTIFICATE },
      { type: k.CKA_CERTIFICATE_TYPE, value: k.CKC_X_509 },
      { type: k.CKA_TOKEN, value: true },
      { type: k.CKA_PRIVATE, value: false },
      { type: k.CKA_LABEL, value: label },
      { type: k.CKA_SUBJECT, value: Buffer.from(parseCertificate(der).subject.toSchema().toBER(false)) },
      ...(ckaId ? [{ type: k.CKA_ID, value: ckaId }] : []),
      { type: k.CKA_VALUE, value: Buffer.from(der) },
    ]);
  });

/** Compiles test/support/pkcs11-token-shim.c (a module that locks PINs and can be "pulled out") with the machine's C compiler. */
export const buildTokenShim = (dir: string): string => {
  const out = join(dir, 'kyso-token-shim.so');
  const include = join(require.resolve('pkcs11js/package.json'), '..', 'includes', 'pkcs11');
  execFileSync('cc', ['-shared', '-fPIC', '-O1', `-I${include}`, '-o', out, join(import.meta.dirname, 'pkcs11-token-shim.c'), '-ldl'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out;
};
