import { createHash } from 'node:crypto';
import type * as P11 from 'pkcs11js';
import * as pkijs from 'pkijs';
import { p1363ToDer } from '../../shared/pki/ecdsa-signature.js';
import { orderChain } from './chain.js';
import type { AgentKey, KeyProvider } from './key-provider.js';
import { loadPkcs11js } from './pkcs11-binding.js';
import type { AgentAlgorithm } from './protocol.js';
import { ckrOf, REMOVAL_CKRS, TokenError, tokenErrorOf } from './token-errors.js';

export interface Pkcs11Options {
  /** Path of the vendor's PKCS#11 module, e.g. /usr/lib/libvnpt-ca.so or C:\Windows\System32\vnptca_p11_v8.dll. */
  readonly module: string;
  /** Slot ID as PKCS#11 (and `pkcs11-tool --list-slots`) numbers it; default the first slot with a token. */
  readonly slot?: number;
  /** Asks the person for the token PIN (never stored, never sent to the page). */
  readonly pin: () => Promise<string>;
  /** How many times to ask when the PIN is wrong (1 when the PIN comes from automation: a wrong one is not retried). */
  readonly pinAttempts?: number;
  /** Issuer certificates (DER) to complete chains the token does not hold. */
  readonly extraCertificates?: readonly Uint8Array[];
  /** RSA: hash on the token (CKM_SHA256_RSA_PKCS) or here with a DigestInfo (CKM_RSA_PKCS); default what the token offers, the former first. */
  readonly rsaMechanism?: 'CKM_SHA256_RSA_PKCS' | 'CKM_RSA_PKCS';
  /** Told when a PIN try failed but more are allowed (the CLI prints it). */
  readonly onWrongPin?: (finalTry: boolean) => void;
}

export interface SlotDescription {
  readonly id: number;
  readonly label: string;
  readonly manufacturer: string;
  readonly serial: string;
}

interface TokenKey extends AgentKey {
  readonly ckaId: Buffer;
}

interface Session {
  readonly slot: Buffer;
  readonly serial: string;
  readonly handle: Buffer;
  readonly privateKeys: Map<string, { readonly handle: Buffer; readonly alwaysAuthenticate: boolean }>;
}

const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const OID_RSA = '1.2.840.113549.1.1.1';
const OID_P256 = '1.2.840.10045.3.1.7';
/** DER DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1): CKM_RSA_PKCS signs DigestInfo, not a bare hash. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

const ab = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const slotNumber = (h: Buffer): number => (h.length >= 8 ? Number(h.readBigUInt64LE(0)) : h.readUInt32LE(0));

const algorithmOf = (certificate: Uint8Array): AgentAlgorithm => {
  const spki = pkijs.Certificate.fromBER(ab(certificate)).subjectPublicKeyInfo;
  const oid = spki.algorithm.algorithmId;
  if (oid === OID_RSA) return 'RSASSA_PKCS1_V1_5_SHA_256';
  const params = spki.algorithm.algorithmParams as { valueBlock?: { toString(): string } } | undefined;
  if (oid === OID_EC_PUBLIC_KEY && params?.valueBlock?.toString() === OID_P256) return 'ECDSA_SHA_256';
  throw new TokenError('unsupported_key', oid);
};

/**
 * Keys on a USB token (or HSM) through its vendor's PKCS#11 module. The private key never
 * leaves the token: the agent hashes the signed attributes and the token signs with C_Sign.
 *
 * open(): C_Initialize, pick the slot, read the certificates (public objects, no PIN), and only
 * if there is one ask the PIN (on the agent's terminal: never the page's), C_Login, and pair
 * each certificate with the private key of the same CKA_ID (the convention CA tools follow).
 * The session stays logged in while the agent runs; a removed token closes it, and the next
 * signature opens it again (asking the PIN again).
 */
export class Pkcs11Provider implements KeyProvider {
  readonly kind = 'pkcs11';
  private p11?: typeof P11;
  private lib?: P11.PKCS11;
  private session?: Session;
  private keys?: TokenKey[];

  constructor(readonly options: Pkcs11Options) {}

  /** The slots with a token, for the CLI's listing. */
  async slots(): Promise<SlotDescription[]> {
    const { lib } = await this.library();
    return this.call(() =>
      lib.C_GetSlotList(true).map((s) => {
        const t = lib.C_GetTokenInfo(s);
        return { id: slotNumber(s), label: t.label.trim(), manufacturer: t.manufacturerID.trim(), serial: t.serialNumber.trim() };
      }),
    );
  }

  async list(): Promise<readonly AgentKey[]> {
    if (!this.keys) await this.open();
    return this.keys as TokenKey[];
  }

  async sign(keyId: string, data: Uint8Array): Promise<Uint8Array> {
    const key = (await this.list()).find((k) => k.id === keyId) as TokenKey | undefined;
    if (!key) throw new TokenError('no_certificate', `unknown certificate ${keyId.slice(0, 16)}`);
    if (!this.session) await this.open();
    const session = this.session as Session;
    const privateKey = session.privateKeys.get(key.id);
    if (!privateKey) throw new TokenError('no_certificate', 'its private key is gone from the token');
    const digest = createHash('sha256').update(data).digest();
    const { lib, p11 } = await this.library();
    let mechanism: number;
    let input: Buffer;
    if (key.algorithm === 'ECDSA_SHA_256') {
      // CKM_ECDSA signs a hash computed here (tokens rarely offer CKM_ECDSA_SHA256) and returns r||s.
      [mechanism, input] = [p11.CKM_ECDSA, digest];
    } else if (this.rsaMechanism(session.slot) === 'CKM_SHA256_RSA_PKCS') {
      [mechanism, input] = [p11.CKM_SHA256_RSA_PKCS, Buffer.from(data)];
    } else {
      [mechanism, input] = [p11.CKM_RSA_PKCS, Buffer.concat([SHA256_DIGEST_INFO, digest])];
    }
    let signature: Buffer;
    try {
      lib.C_SignInit(session.handle, { mechanism }, privateKey.handle);
      // Keys marked CKA_ALWAYS_AUTHENTICATE (qualified-signature tokens) want the PIN again for each signature.
      if (privateKey.alwaysAuthenticate) lib.C_Login(session.handle, p11.CKU_CONTEXT_SPECIFIC, await this.askPin());
      signature = await new Promise<Buffer>((resolve, reject) =>
        lib.C_Sign(session.handle, input, Buffer.alloc(1024), (error, out) => (error ? reject(error) : resolve(out))),
      );
    } catch (e) {
      const error = this.afterFailure(e);
      // A refused per-signature PIN leaves the signing operation open on some tokens: start the next one afresh.
      if (error.code.startsWith('pin_')) this.closeSession();
      throw error;
    }
    return key.algorithm === 'ECDSA_SHA_256' ? p1363ToDer(new Uint8Array(signature)) : new Uint8Array(signature);
  }

  /** Logs out and unloads the module (the agent's exit; tests). */
  async close(): Promise<void> {
    this.closeSession();
    if (this.lib) {
      try {
        this.lib.C_Finalize();
      } catch {
        // already finalized or the module is gone: nothing left to release
      }
      this.lib.close();
      this.lib = undefined;
    }
  }

  private async open(): Promise<void> {
    const { lib, p11 } = await this.library();
    const present = this.call(() => lib.C_GetSlotList(true));
    if (present.length === 0) throw new TokenError('token_not_present', this.options.module);
    const slot =
      this.options.slot === undefined
        ? present.find((s) => this.call(() => lib.C_GetTokenInfo(s)).flags & p11.CKF_TOKEN_INITIALIZED)
        : present.find((s) => slotNumber(s) === this.options.slot);
    if (!slot) {
      if (this.options.slot === undefined) throw new TokenError('token_not_present', `${this.options.module}: no initialised token`);
      throw new TokenError('slot_not_found', `slot ${this.options.slot}; slots with a token: ${present.map(slotNumber).join(', ')}`);
    }
    const info = this.call(() => lib.C_GetTokenInfo(slot));
    const handle = this.call(() => lib.C_OpenSession(slot, p11.CKF_SERIAL_SESSION));
    try {
      const certificates = this.find(handle, [
        { type: p11.CKA_CLASS, value: p11.CKO_CERTIFICATE },
        { type: p11.CKA_CERTIFICATE_TYPE, value: p11.CKC_X_509 },
      ]).map((h) => {
        const [id, value] = lib.C_GetAttributeValue(handle, h, [{ type: p11.CKA_ID }, { type: p11.CKA_VALUE }]);
        return { ckaId: Buffer.from(id?.value ?? []), der: new Uint8Array(value?.value ?? []) };
      });
      // Checked before asking for the PIN: a token without a certificate is no use here, and a locked PIN cannot be typed.
      if (certificates.length === 0) throw new TokenError('no_certificate', info.label.trim());
      if (info.flags & p11.CKF_USER_PIN_LOCKED) throw new TokenError('pin_locked', info.label.trim());
      await this.login(handle, slot);
      const privateKeys: Session['privateKeys'] = new Map();
      const keys: TokenKey[] = [];
      const pool = [...certificates.map((c) => c.der), ...(this.options.extraCertificates ?? [])];
      for (const c of certificates) {
        if (c.ckaId.length === 0) continue;
        const [privateKey] = this.find(handle, [
          { type: p11.CKA_CLASS, value: p11.CKO_PRIVATE_KEY },
          { type: p11.CKA_ID, value: c.ckaId },
        ]);
        if (!privateKey) continue; // a CA certificate stored on the token: part of chains, not a key
        const id = createHash('sha256').update(c.der).digest('hex');
        keys.push({ id, ckaId: c.ckaId, chain: orderChain(c.der, pool), algorithm: algorithmOf(c.der) });
        privateKeys.set(id, { handle: privateKey, alwaysAuthenticate: this.alwaysAuthenticate(handle, privateKey) });
      }
      if (keys.length === 0) throw new TokenError('no_certificate', info.label.trim());
      this.session = { slot, serial: info.serialNumber, handle, privateKeys };
      this.keys = keys;
    } catch (e) {
      try {
        lib.C_CloseSession(handle);
      } catch {
        // the session died with the failure
      }
      throw tokenErrorOf(e);
    }
  }

  private async login(handle: Buffer, slot: Buffer): Promise<void> {
    const { lib, p11 } = await this.library();
    const attempts = Math.max(1, this.options.pinAttempts ?? 1);
    for (let attempt = 1; ; attempt++) {
      const pin = await this.askPin();
      try {
        lib.C_Login(handle, p11.CKU_USER, pin);
        return;
      } catch (e) {
        const ckr = ckrOf(e);
        if (ckr === 'CKR_USER_ALREADY_LOGGED_IN') return;
        const error = tokenErrorOf(e);
        if (error.code !== 'pin_incorrect' || attempt >= attempts) throw error;
        const flags = this.call(() => lib.C_GetTokenInfo(slot)).flags;
        if (flags & p11.CKF_USER_PIN_LOCKED) throw new TokenError('pin_locked', ckr);
        this.options.onWrongPin?.(Boolean(flags & p11.CKF_USER_PIN_FINAL_TRY));
      }
    }
  }

  /**
   * A failed C_Sign: if the token is gone (pulled out, or a different one in its slot), the
   * session is dropped so the next signature starts over, and the person hears "removed".
   */
  private afterFailure(e: unknown): TokenError {
    const ckr = ckrOf(e);
    let present = !(ckr && REMOVAL_CKRS.has(ckr));
    if (present && this.lib && this.session) {
      try {
        const lib = this.lib;
        const { slot, serial } = this.session;
        present = lib.C_GetSlotList(true).some((s) => s.equals(slot)) && lib.C_GetTokenInfo(slot).serialNumber === serial;
      } catch {
        present = false;
      }
    }
    if (present) return tokenErrorOf(e);
    this.closeSession();
    return new TokenError('token_removed', ckr);
  }

  private closeSession() {
    if (this.session && this.lib) {
      try {
        this.lib.C_Logout(this.session.handle);
        this.lib.C_CloseSession(this.session.handle);
      } catch {
        // a removed token has no session left to close
      }
    }
    this.session = undefined;
  }

  private async askPin(): Promise<string> {
    const pin = await this.options.pin();
    if (!pin) throw new TokenError('pin_required');
    return pin;
  }

  private alwaysAuthenticate(session: Buffer, key: Buffer): boolean {
    const lib = this.lib as P11.PKCS11;
    const p11 = this.p11 as typeof P11;
    try {
      return Boolean(lib.C_GetAttributeValue(session, key, [{ type: p11.CKA_ALWAYS_AUTHENTICATE }])[0]?.value?.[0]);
    } catch {
      return false; // tokens older than PKCS#11 2.20 do not know the attribute
    }
  }

  private rsaMechanism(slot: Buffer): 'CKM_SHA256_RSA_PKCS' | 'CKM_RSA_PKCS' {
    if (this.options.rsaMechanism) return this.options.rsaMechanism;
    const { lib, p11 } = { lib: this.lib as P11.PKCS11, p11: this.p11 as typeof P11 };
    return this.call(() => lib.C_GetMechanismList(slot)).includes(p11.CKM_SHA256_RSA_PKCS) ? 'CKM_SHA256_RSA_PKCS' : 'CKM_RSA_PKCS';
  }

  private find(session: Buffer, template: P11.Template): Buffer[] {
    const lib = this.lib as P11.PKCS11;
    lib.C_FindObjectsInit(session, template);
    try {
      return lib.C_FindObjects(session, 64);
    } finally {
      lib.C_FindObjectsFinal(session);
    }
  }

  private call<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw tokenErrorOf(e);
    }
  }

  private async library(): Promise<{ lib: P11.PKCS11; p11: typeof P11 }> {
    if (this.lib && this.p11) return { lib: this.lib, p11: this.p11 };
    const p11 = await loadPkcs11js();
    const lib = new p11.PKCS11();
    try {
      lib.load(this.options.module);
    } catch (e) {
      throw new TokenError('module_load_failed', `${this.options.module}: ${(e as Error).message.split('\n')[0]}`);
    }
    try {
      lib.C_Initialize();
    } catch (e) {
      if (ckrOf(e) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw tokenErrorOf(e);
    }
    this.p11 = p11;
    this.lib = lib;
    return { lib, p11 };
  }
}
