import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type {
  ApiKeyRecord,
  ConsoleRepository,
  ConsoleSession,
  ConsoleUser,
  LoginChallenge,
  SecretBox,
  UserChangeEvent,
} from '../../../shared/console/ports.js';
import { AppError } from '../../../shared/errors.js';

/** The console repository in memory, with the DynamoDB adapter's conditions (a unit test's stand-in; integration tests use moto). */
export const memoryConsole = () => {
  const users = new Map<string, ConsoleUser>();
  const sessions = new Map<string, ConsoleSession>();
  const keys = new Map<string, ApiKeyRecord>();
  const counters = new Map<string, { attempts: number; resetAt: number }>();
  const challenges = new Map<string, LoginChallenge & { tries: number }>();
  const changes: (UserChangeEvent & { tenantId: string })[] = [];
  const update = (email: string, f: (u: ConsoleUser) => ConsoleUser) => users.set(email, f(users.get(email) as ConsoleUser));
  const repo: ConsoleRepository = {
    async createUser(u) {
      if (users.has(u.email)) throw new AppError('conflict', 'exists');
      users.set(u.email, u);
      changes.unshift({ tenantId: u.tenantId, at: u.createdAt, by: u.createdBy ?? 'operator', userId: u.id, action: 'create' });
    },
    findUserByEmail: async (e) => users.get(e),
    listUsers: async (t) =>
      [...users.values()]
        .filter((u) => u.tenantId === t)
        .map((u) => ({
          id: u.id,
          email: u.email,
          name: u.name,
          role: u.role ?? 'admin',
          createdAt: u.createdAt,
          totpEnabled: Boolean(u.totpSecret),
          ...(u.disabled ? { disabled: true } : {}),
        })),
    // The same rule as the DynamoDB adapter: a window opens with the first attempt counted.
    async reserveLoginAttempt(cs) {
      const live = (c: (typeof cs)[number]) => {
        const w = counters.get(c.key);
        return w && w.resetAt > c.at ? w : undefined;
      };
      if (cs.some((c) => (live(c)?.attempts ?? 0) >= c.limit)) return false;
      for (const c of cs) {
        const w = live(c);
        counters.set(c.key, w ? { ...w, attempts: w.attempts + 1 } : { attempts: 1, resetAt: c.at + c.windowSeconds });
      }
      return true;
    },
    async releaseLoginAttempt(cs) {
      for (const c of cs) {
        const w = counters.get(c.key);
        if (w) counters.set(c.key, { ...w, attempts: Math.max(0, w.attempts - 1) });
      }
    },
    putChallenge: async (h, c) => void challenges.set(h, { ...c, tries: 0 }),
    async tryChallenge(h, max) {
      const c = challenges.get(h);
      if (!c || c.tries >= max) return undefined;
      c.tries++;
      const { tries: _t, ...rest } = c;
      return rest;
    },
    deleteChallenge: async (h) => void challenges.delete(h),
    async enableTotp(email, totpSecret, hashes, totpLastStep, totpEnrolledAt) {
      update(email, (u) => ({
        ...u,
        totpSecret,
        totpLastStep,
        totpEnrolledAt,
        recoveryCodes: Object.fromEntries(hashes.map((h) => [h, true])),
        totpRequired: undefined,
      }));
    },
    async updateUser(user, change, keepAdmin) {
      const keep = keepAdmin ? users.get(keepAdmin) : undefined;
      if (keepAdmin && (!keep || keep.tenantId !== user.tenantId || (keep.role ?? 'admin') !== 'admin' || keep.disabled)) return false;
      update(user.email, (u) => {
        const next: ConsoleUser = {
          ...u,
          updatedAt: change.at,
          updatedBy: change.by,
          ...(change.role ? { role: change.role } : {}),
          ...(change.disabled !== undefined ? { disabled: change.disabled || undefined } : {}),
          ...(change.sessionsNotBefore ? { sessionsNotBefore: change.sessionsNotBefore } : {}),
          ...(change.recoveryHashes ? { recoveryCodes: Object.fromEntries(change.recoveryHashes.map((h) => [h, true])) } : {}),
          ...(change.passwordHash ? { passwordHash: change.passwordHash } : {}),
        };
        if (!change.removeTotp) return next;
        const { totpSecret: _s, totpEnrolledAt: _e, totpLastStep: _l, recoveryCodes: _c, ...rest } = next;
        return { ...rest, totpRequired: change.removeTotp.required || undefined };
      });
      changes.unshift({ tenantId: user.tenantId, at: change.at, by: change.by, userId: user.id, action: change.action });
      return true;
    },
    listUserChanges: async (t, limit) => changes.filter((c) => c.tenantId === t).slice(0, limit),
    async useTotpStep(email, step) {
      const u = users.get(email);
      if (!u || (u.totpLastStep !== undefined && u.totpLastStep >= step)) return false;
      update(email, (x) => ({ ...x, totpLastStep: step }));
      return true;
    },
    async useRecoveryCode(email, hash) {
      const u = users.get(email);
      if (!u?.recoveryCodes?.[hash]) return false;
      const { [hash]: _used, ...rest } = u.recoveryCodes;
      update(email, (x) => ({ ...x, recoveryCodes: rest }));
      return true;
    },
    putSession: async (h, s) => void sessions.set(h, s),
    getSession: async (h) => sessions.get(h),
    deleteSession: async (h) => void sessions.delete(h),
    putApiKey: async (r) => void keys.set(r.id, r),
    listApiKeys: async (t) => [...keys.values()].filter((k) => k.tenantId === t),
    revokeApiKey: async (_t, id) => keys.delete(id),
  };
  return { repo, users, sessions, keys, counters, challenges };
};

/** AES-GCM under a random in-memory key, the context as additional data (the KMS adapter does the same under a KMS data key). */
export const memorySecretBox = (): SecretBox => {
  const key = randomBytes(32);
  const aad = (c: Readonly<Record<string, string>>) => Buffer.from(JSON.stringify(Object.entries(c).sort()));
  return {
    async seal(plain, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(context));
      const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return `mem.${iv.toString('base64url')}.${body.toString('base64url')}`;
    },
    async open(sealed, context) {
      const [, iv, b] = sealed.split('.');
      const body = Buffer.from(b as string, 'base64url');
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv as string, 'base64url')).setAAD(aad(context));
      d.setAuthTag(body.subarray(body.length - 16));
      return new Uint8Array(Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]));
    },
  };
};
