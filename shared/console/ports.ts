/** The sender console's state: tenant users, their sessions, and the tenant's API keys (all stored hashed where secret). */
export interface ConsoleUser {
  readonly id: string;
  readonly tenantId: string;
  /** Lower-cased; unique across the platform (one sign-in form for every tenant). */
  readonly email: string;
  readonly name: string;
  readonly passwordHash: string;
  readonly createdAt: string;
  /** Consecutive wrong passwords since the last success or lock. */
  readonly failedLogins?: number;
  /** Sign-in refused until then (after too many wrong passwords). */
  readonly lockedUntil?: string;
}

export interface ConsoleSession {
  readonly userId: string;
  readonly tenantId: string;
  readonly email: string;
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
}

export interface ConsoleRepository {
  /** Fails with `conflict` if the email is taken. */
  createUser(user: ConsoleUser): Promise<void>;
  findUserByEmail(email: string): Promise<ConsoleUser | undefined>;
  /** Atomically counts one more wrong password; returns the new count. */
  noteLoginFailure(email: string): Promise<number>;
  /** Resets the count, and locks sign-in until `lockedUntil` when given (clears the lock otherwise). */
  resetLoginFailures(email: string, lockedUntil?: string): Promise<void>;
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
