import { execFileSync } from 'node:child_process';
import { verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pkcs11Provider } from '../../../tools/kyso-agent/pkcs11-provider.js';
import { TokenError } from '../../../tools/kyso-agent/token-errors.js';
import {
  buildTokenShim,
  createSoftToken,
  generateTokenKey,
  importCertificate,
  type SoftToken,
  softhsmModule,
} from '../../support/softhsm.js';
import { createTestPki } from '../../support/test-pki.js';

const MODULE = softhsmModule();
if (!MODULE) console.warn('SKIPPED: SoftHSM2 is not installed (apt-get install softhsm2; .ci/run installs it).');

const EC_ID = Buffer.from('0a01', 'hex');
const RSA_ID = Buffer.from('0a02', 'hex');
const PIN = '246810';

/** The right PIN, counting how often the provider asked for it. */
const countingPin = () => {
  let asked = 0;
  return {
    pin: async () => {
      asked++;
      return PIN;
    },
    asked: () => asked,
  };
};

/** The provider's failure, as the person sees it: a stable code and both languages. */
const failure = async (p: Promise<unknown>): Promise<TokenError> => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TokenError);
  return e as TokenError;
};

describe.skipIf(!MODULE)('PKCS#11 key provider against SoftHSM2', () => {
  const module = MODULE as string;
  let dir: string;
  let token: SoftToken;
  let empty: SoftToken;
  let shim: string;
  let pki: Awaited<ReturnType<typeof createTestPki>>;
  let spki: { ec: Uint8Array; rsa: Uint8Array };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kyso-p11-'));
    token = createSoftToken(dir, 'Nguyen Van An', PIN);
    pki = await createTestPki('ECC_NIST_P256');
    spki = { ec: generateTokenKey(module, token, 'ECC_NIST_P256', EC_ID), rsa: generateTokenKey(module, token, 'RSA_2048', RSA_ID) };
    importCertificate(module, token, await pki.issueSigner('Nguyễn Văn An (ECDSA)', spki.ec), 'An ECDSA', EC_ID);
    importCertificate(module, token, await pki.issueSigner('Nguyễn Văn An (RSA)', spki.rsa), 'An RSA', RSA_ID);
    importCertificate(module, token, pki.ca, 'Test Issuing CA');
    // A token with a key and no certificate (issued, but the certificate never written to it).
    empty = createSoftToken(dir, 'Empty', PIN);
    generateTokenKey(module, empty, 'ECC_NIST_P256', EC_ID);
    shim = buildTokenShim(dir);
  }, 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A provider on the token; closed by the test (one module instance at a time: C_Finalize is process-wide). */
  const provider = (options: Partial<ConstructorParameters<typeof Pkcs11Provider>[0]> = {}) =>
    new Pkcs11Provider({ module, slot: token.slotId, pin: async () => PIN, ...options });

  it('lists the certificates that have a private key, with their chains from the token and --chain', async () => {
    const counted = countingPin();
    const p = provider({
      pin: counted.pin,
      extraCertificates: [pki.root],
    });
    try {
      const slots = await p.slots();
      expect(slots.map((s) => s.label)).toContain('Nguyen Van An');
      const keys = await p.list();
      expect(keys.map((k) => k.algorithm).sort()).toEqual(['ECDSA_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_256']);
      for (const k of keys) {
        expect(k.chain).toHaveLength(3);
        expect(Buffer.from(k.chain[1] as Uint8Array).equals(Buffer.from(pki.ca))).toBe(true);
        expect(Buffer.from(k.chain[2] as Uint8Array).equals(Buffer.from(pki.root))).toBe(true);
      }
      expect(counted.asked()).toBe(1);
    } finally {
      await p.close();
    }
  });

  it.each([
    ['ECDSA P-256 (CKM_ECDSA, DER)', 'ECDSA_SHA_256', undefined],
    ['RSA hashed on the token (CKM_SHA256_RSA_PKCS)', 'RSASSA_PKCS1_V1_5_SHA_256', 'CKM_SHA256_RSA_PKCS'],
    ['RSA with a DigestInfo (CKM_RSA_PKCS)', 'RSASSA_PKCS1_V1_5_SHA_256', 'CKM_RSA_PKCS'],
  ] as const)('signs with C_Sign: %s, verified with the certificate key', async (_name, algorithm, rsaMechanism) => {
    const p = provider(rsaMechanism ? { rsaMechanism } : {});
    try {
      const key = (await p.list()).find((k) => k.algorithm === algorithm);
      if (!key) throw new Error(`no ${algorithm} key`);
      const data = new TextEncoder().encode('1\u0018 signed attributes, Hợp đồng lao động');
      const signature = await p.sign(key.id, data);
      const publicKey = { key: Buffer.from(algorithm === 'ECDSA_SHA_256' ? spki.ec : spki.rsa), format: 'der', type: 'spki' } as const;
      if (algorithm === 'ECDSA_SHA_256') expect(signature[0]).toBe(0x30); // DER SEQUENCE, not r||s
      expect(verify('sha256', data, publicKey, signature)).toBe(true);
      expect(verify('sha256', new TextEncoder().encode('other'), publicKey, signature)).toBe(false);
    } finally {
      await p.close();
    }
  });

  it('wrong PIN: pin_incorrect in Vietnamese and English, asked again when the person can retype it; no PIN at all: pin_required', async () => {
    const wrong = provider({ pin: async () => '000000' });
    const e = await failure(wrong.list());
    await wrong.close();
    expect(e.code).toBe('pin_incorrect');
    expect(e.message).toContain('Mã PIN không đúng');
    expect(e.message).toContain('wrong PIN');
    expect(e.message).not.toContain('000000');

    // No terminal to ask on and no automation PIN: the agent says so instead of trying an empty PIN.
    const nobody = provider({ pin: async () => '' });
    expect((await failure(nobody.list())).code).toBe('pin_required');
    await nobody.close();

    const tries = ['111111', PIN];
    const retried: boolean[] = [];
    const retry = provider({ pin: async () => tries.shift() as string, pinAttempts: 3, onWrongPin: (f) => retried.push(f) });
    try {
      expect(await retry.list()).toHaveLength(2);
      expect(retried).toEqual([false]);
    } finally {
      await retry.close();
    }
  });

  it('locked PIN (a token that locks after 3 wrong tries): pin_locked, and then no PIN is even asked', async () => {
    Object.assign(process.env, {
      KYSO_P11_SHIM_TARGET: module,
      KYSO_P11_SHIM_STATE: join(dir, 'pin-state'),
      KYSO_P11_SHIM_PIN_TRIES: '3',
    });
    writeFileSync(join(dir, 'pin-state'), '0\n');
    const finalTry: boolean[] = [];
    const guessing = provider({ module: shim, pin: async () => '999999', pinAttempts: 10, onWrongPin: (f) => finalTry.push(f) });
    const e = await failure(guessing.list());
    await guessing.close();
    expect(e.code).toBe('pin_locked');
    expect(e.message).toContain('đã bị khóa');
    expect(e.message).toContain('locked');
    expect(finalTry).toEqual([false, true]); // told before the last try

    const counted = countingPin();
    const owner = provider({
      module: shim,
      pin: counted.pin,
    });
    expect((await failure(owner.list())).code).toBe('pin_locked');
    await owner.close();
    expect(counted.asked()).toBe(0);
  });

  it('no certificate on the token: no_certificate, before any PIN is asked', async () => {
    const counted = countingPin();
    const p = new Pkcs11Provider({
      module,
      slot: empty.slotId,
      pin: counted.pin,
    });
    const e = await failure(p.list());
    await p.close();
    expect(e.code).toBe('no_certificate');
    expect(e.message).toContain('Token không có chứng thư số');
    expect(counted.asked()).toBe(0);
  });

  it('a slot that does not exist: slot_not_found naming the slots there are; a module that is not there: module_load_failed', async () => {
    const p = provider({ slot: 424242 });
    const e = await failure(p.list());
    await p.close();
    expect(e.code).toBe('slot_not_found');
    expect(e.message).toContain(String(token.slotId));
    const missing = provider({ module: join(dir, 'no-such-pkcs11.so') });
    expect((await failure(missing.list())).code).toBe('module_load_failed');
  });

  it('token pulled out while the agent runs: token_removed; plugged back in, the next signature asks the PIN again', async () => {
    process.env.KYSO_P11_SHIM_REMOVED = join(dir, 'pulled-out');
    writeFileSync(join(dir, 'pin-state'), '0\n');
    const counted = countingPin();
    const p = provider({
      module: shim,
      pin: counted.pin,
    });
    try {
      const key = (await p.list())[0];
      if (!key) throw new Error('no key');
      const data = new TextEncoder().encode('attributes');
      await p.sign(key.id, data);
      writeFileSync(join(dir, 'pulled-out'), '');
      const e = await failure(p.sign(key.id, data));
      expect(e.code).toBe('token_removed');
      expect(e.message).toContain('USB token đã bị rút ra');
      expect(e.message).toContain('CKR_DEVICE_REMOVED');
      // Still out: the agent says there is no token.
      expect((await failure(p.sign(key.id, data))).code).toBe('token_not_present');
      rmSync(join(dir, 'pulled-out'));
      expect((await p.sign(key.id, data)).length).toBeGreaterThan(60);
      expect(counted.asked()).toBe(2);
    } finally {
      await p.close();
      delete process.env.KYSO_P11_SHIM_REMOVED;
    }
  });

  it('a key that wants the PIN for every signature (CKA_ALWAYS_AUTHENTICATE): asked again at each C_Sign', async () => {
    const qualified = createSoftToken(dir, 'Qualified', PIN);
    const pub = generateTokenKey(module, qualified, 'ECC_NIST_P256', EC_ID, true);
    importCertificate(module, qualified, await pki.issueSigner('Đỗ Văn Cường', pub), 'Cuong', EC_ID);
    const counted = countingPin();
    const p = new Pkcs11Provider({ module, slot: qualified.slotId, pin: counted.pin });
    try {
      const key = (await p.list())[0];
      if (!key) throw new Error('no key');
      expect(counted.asked()).toBe(1);
      const data = new TextEncoder().encode('attributes');
      for (let i = 0; i < 2; i++) {
        expect(verify('sha256', data, { key: Buffer.from(pub), format: 'der', type: 'spki' }, await p.sign(key.id, data))).toBe(true);
      }
      expect(counted.asked()).toBe(3);
    } finally {
      await p.close();
    }
  });

  it('the token deleted from SoftHSM under an open session (no removal code from the module): still token_removed', async () => {
    const gone = createSoftToken(dir, 'Gone', PIN);
    const pub = generateTokenKey(module, gone, 'ECC_NIST_P256', EC_ID);
    importCertificate(module, gone, await pki.issueSigner('Trần Thị Bình', pub), 'Binh', EC_ID);
    const p = new Pkcs11Provider({ module, slot: gone.slotId, pin: async () => PIN });
    try {
      const key = (await p.list())[0];
      if (!key) throw new Error('no key');
      execFileSync('softhsm2-util', ['--delete-token', '--token', 'Gone'], { stdio: 'ignore' });
      const e = await failure(p.sign(key.id, new Uint8Array(8)));
      expect(e.code).toBe('token_removed');
    } finally {
      await p.close();
    }
  });
});
