import type { Role, Scope } from './roles.js';

/** The sender console's state: tenant users, their sessions, and the tenant's API keys (all stored hashed where secret). */
export interface ConsoleUser {
  readonly id: string;
  readonly tenantId: string;
  /** Lower-cased; unique across the platform (one sign-in form for every tenant). */
  readonly email: string;
  readonly name: string;
  readonly passwordHash: string;
  readonly createdAt: string;
  /** The admin (user id) who added the user from the console; absent when made by the operator's admin API. */
  readonly createdBy?: string;
  /** admin, sender or viewer (shared/console/roles.ts); users made before roles existed are admins. */
  readonly role?: Role;
  /** The TOTP secret, sealed by the SecretBox (KMS envelope encryption); absent = no second factor yet. */
  readonly totpSecret?: string;
  readonly totpEnrolledAt?: string;
  /** The last TOTP step used: codes of that step or older are refused (no replay). */
  readonly totpLastStep?: number;
  /** Unused recovery codes, by hash (shared/console/recovery-codes.ts); each removed when used. */
  readonly recoveryCodes?: Readonly<Record<string, true>>;
  /** Set by an admin's reset of the second factor: enrol again at the next sign-in (admins always must). */
  readonly totpRequired?: boolean;
  /** Disabled by an admin: no sign-in, and sessions end (shared/console/sign-in.ts `resolveSession`). */
  readonly disabled?: boolean;
  /** Sessions begun before this instant no longer work (set when the user is disabled). */
  readonly sessionsNotBefore?: string;
  /** The last change an admin or the user made (who: a user id), also kept as a UserChangeEvent. */
  readonly updatedAt?: string;
  readonly updatedBy?: string;
}

/** What an admin (or the user, for their own second factor) changes on a user: one action at a time. */
export type UserAction = 'create' | 'totp-on' | 'role' | 'disable' | 'enable' | 'totp-reset' | 'totp-off' | 'recovery-codes' | 'password';
export interface UserChange {
  readonly action: UserAction;
  readonly role?: Role;
  readonly disabled?: boolean;
  /** Removes the secret, the recovery codes and the last step; `required`: enrol again at the next sign-in. */
  readonly removeTotp?: { readonly required: boolean };
  /** Replaces the unused recovery codes (by hash). */
  readonly recoveryHashes?: readonly string[];
  readonly passwordHash?: string;
  readonly sessionsNotBefore?: string;
  /** The user id of whoever made the change, and when. */
  readonly by: string;
  readonly at: string;
}

/** One entry of a tenant's trail of user changes (who did what to whom, when): never a secret. */
export interface UserChangeEvent {
  readonly at: string;
  readonly by: string;
  readonly userId: string;
  readonly action: UserAction;
  readonly role?: Role;
}

/** A user as listed to admins: never the password hash, the secret or the codes. */
export interface ConsoleUserSummary {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly totpEnabled: boolean;
  readonly disabled?: boolean;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
}

/** Between a right password and the second factor (5 minutes, 5 tries), keyed by the hash of its random token. */
export interface LoginChallenge {
  readonly email: string;
  /**
   * totp: the user has a second factor; enrol: a user who must add one now (admins, or after an
   * admin's reset); self-enrol: a signed-in user turning it on from the console (never a sign-in step).
   */
  readonly kind: 'totp' | 'enrol' | 'self-enrol';
  /** enrol only: the new secret, sealed, kept here until a code from it proves the app has it. */
  readonly pendingSecret?: string;
  readonly expiresAt: string;
}

/**
 * One failed-sign-in counter: at most `limit` attempts in a window of `windowSeconds` that
 * opens with the first attempt counted (not a fixed clock window: two fixed windows meeting
 * at :00 or :15 would let a burst across the boundary take twice the limit). `at` is the
 * attempt's instant (epoch seconds). Attempts are taken before the password is checked
 * (see sign-in.ts), all counters of an attempt at once or none.
 */
export interface LoginCounter {
  readonly key: string;
  readonly limit: number;
  readonly windowSeconds: number;
  readonly at: number;
}

/**
 * Secrets we must read back (TOTP seeds) are sealed before they are stored: envelope encryption
 * under the deployment's KMS data key, bound to an encryption context (functions/aws/kms-secret-box.ts).
 */
export interface SecretBox {
  seal(plain: Uint8Array, context: Readonly<Record<string, string>>): Promise<string>;
  /** Throws when the context differs from the one it was sealed with. */
  open(sealed: string, context: Readonly<Record<string, string>>): Promise<Uint8Array>;
}

export interface ConsoleSession {
  readonly userId: string;
  readonly tenantId: string;
  readonly email: string;
  /** The user's role when the session began (sessions made before roles: treated as viewer). */
  readonly role?: Role;
  /** Double-submit CSRF token: the page sends it back in `x-csrf-token` on every state change. */
  readonly csrfToken: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly label: string;
  /** The first characters of the key, so people can tell keys apart; the key itself is never stored. */
  readonly prefix: string;
  readonly keyHash: string;
  readonly createdAt: string;
  /** read, send, admin (each implies those below); keys made before scopes: admin. */
  readonly scopes?: readonly Scope[];
  /** The console user who made it (senders may revoke only their own). */
  readonly createdBy?: string;
}

export interface ConsoleRepository {
  /** Fails with `conflict` if the email is taken. Also lists the user under its tenant and records a `create` change (by `createdBy`, else `operator`). */
  createUser(user: ConsoleUser): Promise<void>;
  findUserByEmail(email: string): Promise<ConsoleUser | undefined>;
  listUsers(tenantId: string): Promise<ConsoleUserSummary[]>;
  /**
   * Takes one attempt from every counter in one conditional transaction: true when all had
   * room; false (and nothing counted) when any is at its limit. Parallel callers never get
   * more than `limit` trues per window.
   */
  reserveLoginAttempt(counters: readonly LoginCounter[]): Promise<boolean>;
  /** Gives one attempt back to each counter (the attempt succeeded: it was not a failure). */
  releaseLoginAttempt(counters: readonly LoginCounter[]): Promise<void>;
  putChallenge(idHash: string, challenge: LoginChallenge): Promise<void>;
  /** Counts one try on the challenge; undefined when unknown or out of tries (`maxTries`). */
  tryChallenge(idHash: string, maxTries: number): Promise<LoginChallenge | undefined>;
  deleteChallenge(idHash: string): Promise<void>;
  /** Stores the sealed TOTP secret and the recovery-code hashes (clearing `totpRequired`, recording a `totp-on` change); `step` (the enrolment code's) counts as used. */
  enableTotp(email: string, sealedSecret: string, recoveryHashes: readonly string[], step: number, at: string): Promise<void>;
  /** Records `step` as used if it is newer than the last used one (conditional write); false = replay. */
  useTotpStep(email: string, step: number): Promise<boolean>;
  /** Removes the code's hash if present (conditional write); false = unknown or already used. */
  useRecoveryCode(email: string, hash: string): Promise<boolean>;
  /**
   * Applies one change to the user item and its listing item together and appends a
   * UserChangeEvent, in one transaction. With `keepAdmin` (another user's email) only while that
   * user is still an active admin (a condition check in the same transaction): false = it was
   * not, nothing changed. So two admins demoting each other at once cannot leave none.
   */
  updateUser(user: ConsoleUser, change: UserChange, keepAdmin?: string): Promise<boolean>;
  /** The tenant's user changes, newest first. */
  listUserChanges(tenantId: string, limit: number): Promise<UserChangeEvent[]>;
  /** Sessions are keyed by the SHA-256 of the cookie value and expire by TTL. */
  putSession(idHash: string, session: ConsoleSession): Promise<void>;
  getSession(idHash: string): Promise<ConsoleSession | undefined>;
  deleteSession(idHash: string): Promise<void>;
  /** Stores the key's lookup item (hash → tenant) and its listing item together. */
  putApiKey(record: ApiKeyRecord): Promise<void>;
  listApiKeys(tenantId: string): Promise<ApiKeyRecord[]>;
  /** Deletes both items; afterwards the key no longer authenticates. */
  revokeApiKey(tenantId: string, id: string): Promise<boolean>;
}
