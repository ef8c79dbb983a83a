import type { SecretBox } from '../console/ports.js';
import type { Clock } from '../envelope/ports.js';
import { AppError } from '../errors.js';
import { randomId } from '../util/bytes.js';
import type { CscProviderConfig } from './csc-client.js';

/**
 * Remote-signing providers (CSC API v2 CAs) a signer may choose from: the deployment's (from
 * configuration, for every tenant) and the tenant's own. A signer whose certificate is at VNPT
 * SmartCA signs through it even if the tenant's usual CA is Viettel MySign.
 *
 * A tenant's client secret is sealed (KMS envelope encryption, the `SecretBox` port) before it is
 * stored, bound to the tenant and the provider id, so a sealed value copied onto another
 * provider or tenant does not open. It is opened only to build a CSC client, never returned by
 * the API and never logged. `PUT /v1/remote-signing` writes the provider with id `default`,
 * which a request without a providerId uses.
 */
export const DEFAULT_PROVIDER_ID = 'default';
/** Per tenant: checked before anything is sealed or stored. */
export const MAX_TENANT_PROVIDERS = 20;

/** What the API shows: no secret. */
export interface RemoteProviderView {
  readonly id: string;
  readonly name: string;
  readonly baseUrl: string;
  readonly clientId: string;
  readonly createdAt: string;
  /** `deployment`: configured by the operator for every tenant; `tenant`: added by this tenant. */
  readonly source: 'deployment' | 'tenant';
  readonly isDefault: boolean;
}

/** A tenant's provider as stored: the secret only sealed. */
export interface StoredRemoteProvider {
  readonly id: string;
  readonly name: string;
  readonly baseUrl: string;
  readonly clientId: string;
  readonly sealedSecret: string;
  readonly createdAt: string;
}

/** The operator's providers (configuration); the secret is read when a client is built. */
export interface DeploymentRemoteProvider {
  readonly id: string;
  readonly name: string;
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: () => Promise<string>;
}

export interface RemoteProviderStore {
  list(tenantId: string): Promise<readonly StoredRemoteProvider[]>;
  get(tenantId: string, id: string): Promise<StoredRemoteProvider | undefined>;
  /** Creates, or replaces when `replace` (the default provider); a new id that exists → AppError('conflict'). */
  put(tenantId: string, provider: StoredRemoteProvider, options?: { replace?: boolean }): Promise<void>;
  /** False when there was nothing to delete. */
  delete(tenantId: string, id: string): Promise<boolean>;
}

export interface RemoteProviderDeps {
  readonly store: RemoteProviderStore;
  readonly secretBox: SecretBox;
  readonly deployment: readonly DeploymentRemoteProvider[];
  readonly clock: Clock;
}

export interface RemoteProviderInput {
  readonly name: string;
  /** Already through the outbound URL guard. */
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** A provider resolved for signing: the CSC client's configuration with the secret opened. */
export interface ResolvedRemoteProvider extends CscProviderConfig {
  readonly providerId: string;
}

const secretContext = (tenantId: string, providerId: string) => ({
  purpose: 'remote-signing-client-secret',
  tenantId,
  providerId,
});

const view = (p: StoredRemoteProvider): RemoteProviderView => ({
  id: p.id,
  name: p.name,
  baseUrl: p.baseUrl,
  clientId: p.clientId,
  createdAt: p.createdAt,
  source: 'tenant',
  isDefault: p.id === DEFAULT_PROVIDER_ID,
});

const deploymentView = (p: DeploymentRemoteProvider): RemoteProviderView => ({
  id: p.id,
  name: p.name,
  baseUrl: p.baseUrl,
  clientId: p.clientId,
  createdAt: '1970-01-01T00:00:00.000Z',
  source: 'deployment',
  isDefault: false,
});

const seal = async (deps: RemoteProviderDeps, tenantId: string, id: string, input: RemoteProviderInput): Promise<StoredRemoteProvider> => ({
  id,
  name: input.name,
  baseUrl: input.baseUrl,
  clientId: input.clientId,
  sealedSecret: await deps.secretBox.seal(new TextEncoder().encode(input.clientSecret), secretContext(tenantId, id)),
  createdAt: deps.clock.now().toISOString(),
});

/** POST /v1/remote-signing/providers: a new provider of the tenant's, its secret sealed first. */
export const addRemoteProvider = async (deps: RemoteProviderDeps, tenantId: string, input: RemoteProviderInput) => {
  const existing = await deps.store.list(tenantId);
  if (existing.length >= MAX_TENANT_PROVIDERS) {
    throw new AppError('remote_provider_limit', `A tenant may have at most ${MAX_TENANT_PROVIDERS} remote-signing providers.`);
  }
  const stored = await seal(deps, tenantId, `rsp_${randomId(9)}`, input);
  await deps.store.put(tenantId, stored);
  return view(stored);
};

/** PUT /v1/remote-signing: the tenant's default provider, replaced in place. */
export const setDefaultRemoteProvider = async (deps: RemoteProviderDeps, tenantId: string, input: RemoteProviderInput) => {
  const stored = await seal(deps, tenantId, DEFAULT_PROVIDER_ID, input);
  await deps.store.put(tenantId, stored, { replace: true });
  return view(stored);
};

/** Every provider a signer of this tenant may choose: the tenant's (default first), then the deployment's. */
export const listRemoteProviders = async (deps: RemoteProviderDeps, tenantId: string): Promise<RemoteProviderView[]> => {
  const own = [...(await deps.store.list(tenantId))].sort(
    (a, b) => Number(b.id === DEFAULT_PROVIDER_ID) - Number(a.id === DEFAULT_PROVIDER_ID) || a.createdAt.localeCompare(b.createdAt),
  );
  return [...own.map(view), ...deps.deployment.map(deploymentView)];
};

export const getDefaultRemoteProvider = async (deps: RemoteProviderDeps, tenantId: string) => {
  const p = await deps.store.get(tenantId, DEFAULT_PROVIDER_ID);
  return p ? view(p) : undefined;
};

/** DELETE /v1/remote-signing/providers/{id}: only the tenant's own; another tenant's id is simply not found. */
export const removeRemoteProvider = async (deps: RemoteProviderDeps, tenantId: string, id: string) => {
  if (deps.deployment.some((p) => p.id === id)) {
    throw new AppError('forbidden', 'This provider is configured by the operator of this deployment; it cannot be removed here.');
  }
  if (!(await deps.store.delete(tenantId, id))) throw new AppError('remote_provider_not_found', 'No such remote-signing provider.');
};

/**
 * The provider a signing goes through, with its secret opened. No id: the tenant's default
 * (the old one-provider API), else the only provider there is.
 */
export const resolveRemoteProvider = async (
  deps: RemoteProviderDeps,
  tenantId: string,
  providerId: string | undefined,
): Promise<ResolvedRemoteProvider> => {
  if (providerId === undefined) {
    const byDefault = await deps.store.get(tenantId, DEFAULT_PROVIDER_ID);
    const fallback = byDefault ? await openStored(deps, tenantId, byDefault) : await soleProvider(deps, tenantId);
    if (!fallback) throw new AppError('remote_signing_not_configured', 'This sender has not set up remote signing.');
    return fallback;
  }
  const fromDeployment = deps.deployment.find((p) => p.id === providerId);
  if (fromDeployment) return openDeployment(fromDeployment);
  const stored = await deps.store.get(tenantId, providerId);
  if (!stored) throw new AppError('remote_provider_not_found', 'No such remote-signing provider.');
  return openStored(deps, tenantId, stored);
};

const openDeployment = async (p: DeploymentRemoteProvider): Promise<ResolvedRemoteProvider> => ({
  providerId: p.id,
  baseUrl: p.baseUrl,
  clientId: p.clientId,
  clientSecret: await p.clientSecret(),
  caName: p.name,
});

const openStored = async (deps: RemoteProviderDeps, tenantId: string, p: StoredRemoteProvider): Promise<ResolvedRemoteProvider> => ({
  providerId: p.id,
  baseUrl: p.baseUrl,
  clientId: p.clientId,
  clientSecret: new TextDecoder().decode(await deps.secretBox.open(p.sealedSecret, secretContext(tenantId, p.id))),
  caName: p.name,
});

const soleProvider = async (deps: RemoteProviderDeps, tenantId: string): Promise<ResolvedRemoteProvider | undefined> => {
  const own = await deps.store.list(tenantId);
  if (own.length + deps.deployment.length !== 1) return undefined;
  const [mine] = own;
  if (mine) return openStored(deps, tenantId, mine);
  return openDeployment(deps.deployment[0] as DeploymentRemoteProvider);
};
