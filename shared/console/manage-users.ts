import type { Clock } from '../envelope/ports.js';
import { AppError } from '../errors.js';
import { createUser } from './create-user.js';
import type { ConsoleRepository, ConsoleSession, ConsoleUser, ConsoleUserSummary, UserChange } from './ports.js';
import { randomCode } from './recovery-codes.js';
import type { Role } from './roles.js';
import { roleOf } from './sign-in.js';

/**
 * A tenant admin's management of the tenant's console users (the console's "Người dùng" page).
 * Every read and write is scoped to the admin's tenant: a user id of another tenant is 404.
 * Every change is recorded on the user (updatedAt/updatedBy) and as a UserChangeEvent in the
 * same transaction (ports.ts `updateUser`). The tenant never loses its last active admin.
 */
type Deps = { console: ConsoleRepository; clock: Clock };

export const findTenantUser = async (deps: Deps, tenantId: string, id: string): Promise<ConsoleUser> => {
  const listed = (await deps.console.listUsers(tenantId)).find((u) => u.id === id);
  const user = listed && (await deps.console.findUserByEmail(listed.email));
  if (!user || user.tenantId !== tenantId) throw new AppError('console_user_not_found', 'No such user in this organisation.');
  return user;
};

export const addUser = async (
  deps: Deps,
  actor: ConsoleSession,
  input: { email: string; name: string; role: Role; password?: string },
): Promise<{ user: Omit<ConsoleUser, 'passwordHash'>; initialPassword?: string }> => {
  // An initial password, shown to the admin once and stored only as a scrypt hash (80 random
  // bits); the user replaces it from the account-security page. See ARCHITECTURE.md for why not a link.
  const initialPassword = input.password ? undefined : randomCode();
  const user = await createUser(deps, {
    ...input,
    password: input.password ?? (initialPassword as string),
    tenantId: actor.tenantId,
    createdBy: actor.userId,
  });
  return { user, ...(initialPassword ? { initialPassword } : {}) };
};

const isActiveAdmin = (u: Pick<ConsoleUserSummary, 'role' | 'disabled'>) => u.role === 'admin' && !u.disabled;

/**
 * Applies a change that may take an active admin away (demotion, disabling): only while another
 * active admin exists, checked in the same transaction as the change (a condition on that
 * admin's item), and retried with the next one if that admin changed meanwhile.
 */
const applyKeepingAnAdmin = async (deps: Deps, user: ConsoleUser, change: UserChange, removesAdmin: boolean): Promise<void> => {
  if (!removesAdmin) {
    if (!(await deps.console.updateUser(user, change))) throw new AppError('conflict', 'The user changed at the same time; try again.');
    return;
  }
  for (let round = 0; round < 3; round++) {
    const others = (await deps.console.listUsers(user.tenantId)).filter((u) => isActiveAdmin(u) && u.id !== user.id);
    const keep = others[round % Math.max(others.length, 1)];
    if (!keep) break;
    if (await deps.console.updateUser(user, change, keep.email)) return;
  }
  throw new AppError('last_admin', 'The organisation needs at least one active admin; make another user admin first.');
};

export const changeRole = async (deps: Deps, actor: ConsoleSession, id: string, role: Role): Promise<void> => {
  const user = await findTenantUser(deps, actor.tenantId, id);
  if (roleOf(user) === role) return;
  const change: UserChange = { action: 'role', role, by: actor.userId, at: deps.clock.now().toISOString() };
  await applyKeepingAnAdmin(deps, user, change, isActiveAdmin({ role: roleOf(user), disabled: user.disabled }));
};

/** Disabling ends the user's sessions (resolveSession refuses sessions begun before `sessionsNotBefore`). */
export const setDisabled = async (deps: Deps, actor: ConsoleSession, id: string, disabled: boolean): Promise<void> => {
  const user = await findTenantUser(deps, actor.tenantId, id);
  if (Boolean(user.disabled) === disabled) return;
  const at = deps.clock.now().toISOString();
  const change: UserChange = disabled
    ? { action: 'disable', disabled, sessionsNotBefore: at, by: actor.userId, at }
    : { action: 'enable', disabled, by: actor.userId, at };
  await applyKeepingAnAdmin(deps, user, change, disabled && roleOf(user) === 'admin');
};

/** Removes the user's second factor; they enrol a new one at their next sign-in (before any session). */
export const resetTotp = async (deps: Deps, actor: ConsoleSession, id: string): Promise<void> => {
  const user = await findTenantUser(deps, actor.tenantId, id);
  const change: UserChange = { action: 'totp-reset', removeTotp: { required: true }, by: actor.userId, at: deps.clock.now().toISOString() };
  await applyKeepingAnAdmin(deps, user, change, false);
};
