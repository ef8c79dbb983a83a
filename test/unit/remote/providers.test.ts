import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../functions/config.js';
import { AppError } from '../../../shared/errors.js';
import {
  addRemoteProvider,
  DEFAULT_PROVIDER_ID,
  type DeploymentRemoteProvider,
  listRemoteProviders,
  MAX_TENANT_PROVIDERS,
  type RemoteProviderDeps,
  type RemoteProviderStore,
  removeRemoteProvider,
  resolveRemoteProvider,
  type StoredRemoteProvider,
  setDefaultRemoteProvider,
} from '../../../shared/remote/providers.js';
import { memorySecretBox } from '../console/memory-console.js';

/** The store in memory with the DynamoDB adapter's conditions (create-only unless replacing; delete says whether it found one). */
const memoryStore = () => {
  const items = new Map<string, StoredRemoteProvider>();
  const k = (t: string, id: string) => `${t}/${id}`;
  const store: RemoteProviderStore = {
    list: async (t) => [...items.entries()].filter(([key]) => key.startsWith(`${t}/`)).map(([, v]) => v),
    get: async (t, id) => items.get(k(t, id)),
    async put(t, p, o = {}) {
      if (!o.replace && items.has(k(t, p.id))) throw new AppError('conflict', 'exists');
      items.set(k(t, p.id), p);
    },
    delete: async (t, id) => items.delete(k(t, id)),
  };
  return { store, items };
};

const setup = (deployment: DeploymentRemoteProvider[] = []) => {
  const { store, items } = memoryStore();
  const deps: RemoteProviderDeps = {
    store,
    secretBox: memorySecretBox(),
    deployment,
    clock: { now: () => new Date('2026-12-01T08:00:00Z') },
  };
  return { deps, items };
};

const vnpt = { name: 'VNPT SmartCA', baseUrl: 'https://rmgateway.example.vn/', clientId: 'kyso-vnpt', clientSecret: 'vnpt-secret-Ưu-đãi' };
const viettel = { name: 'Viettel MySign', baseUrl: 'https://mysign.example.vn/', clientId: 'kyso-vt', clientSecret: 's3cr3t-viettel' };
const operatorCa: DeploymentRemoteProvider = {
  id: 'fpt-esign',
  name: 'FPT.eSign',
  baseUrl: 'https://esign.example.vn/',
  clientId: 'kyso-fpt',
  clientSecret: async () => 'fpt-from-secrets-manager',
};

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as AppError).code;
  }
  return 'no error';
};

describe('remote-signing providers: a list per tenant plus the deployment’s, secrets sealed', () => {
  it('stores only the sealed secret, returns none, and opens it for signing', async () => {
    const { deps, items } = setup();
    const added = await addRemoteProvider(deps, 't1', vnpt);
    expect(added).toEqual({
      id: expect.stringMatching(/^rsp_/),
      name: 'VNPT SmartCA',
      baseUrl: vnpt.baseUrl,
      clientId: 'kyso-vnpt',
      createdAt: '2026-12-01T08:00:00.000Z',
      source: 'tenant',
      isDefault: false,
    });
    const stored = [...items.values()][0] as StoredRemoteProvider;
    expect(JSON.stringify(stored)).not.toContain(vnpt.clientSecret);
    expect(stored).not.toHaveProperty('clientSecret');
    expect(JSON.stringify(await listRemoteProviders(deps, 't1'))).not.toContain(vnpt.clientSecret);

    const resolved = await resolveRemoteProvider(deps, 't1', added.id);
    expect(resolved).toEqual({
      providerId: added.id,
      baseUrl: vnpt.baseUrl,
      clientId: 'kyso-vnpt',
      clientSecret: vnpt.clientSecret,
      caName: 'VNPT SmartCA',
    });
  });

  it('a sealed secret copied onto another tenant’s or another provider’s item does not open', async () => {
    const { deps, items } = setup();
    const a = await addRemoteProvider(deps, 't1', vnpt);
    const b = await addRemoteProvider(deps, 't1', viettel);
    const sealedA = (items.get(`t1/${a.id}`) as StoredRemoteProvider).sealedSecret;
    items.set(`t1/${b.id}`, { ...(items.get(`t1/${b.id}`) as StoredRemoteProvider), sealedSecret: sealedA });
    await expect(resolveRemoteProvider(deps, 't1', b.id)).rejects.toThrow();
    items.set(`t2/${a.id}`, { ...(items.get(`t1/${a.id}`) as StoredRemoteProvider) });
    await expect(resolveRemoteProvider(deps, 't2', a.id)).rejects.toThrow();
  });

  it('tenant isolation: another tenant’s provider id is not found, to use or to delete', async () => {
    const { deps } = setup();
    const mine = await addRemoteProvider(deps, 't1', vnpt);
    expect(await codeOf(resolveRemoteProvider(deps, 't2', mine.id))).toBe('remote_provider_not_found');
    expect(await codeOf(removeRemoteProvider(deps, 't2', mine.id))).toBe('remote_provider_not_found');
    expect(await listRemoteProviders(deps, 't2')).toEqual([]);
    expect((await resolveRemoteProvider(deps, 't1', mine.id)).caName).toBe('VNPT SmartCA');
  });

  it('lists the default first, then the tenant’s others, then the deployment’s; the operator’s cannot be removed', async () => {
    const { deps } = setup([operatorCa]);
    await addRemoteProvider(deps, 't1', viettel);
    await setDefaultRemoteProvider(deps, 't1', vnpt);
    const list = await listRemoteProviders(deps, 't1');
    expect(list.map((p) => [p.id.startsWith('rsp_') ? 'rsp_' : p.id, p.name, p.source, p.isDefault])).toEqual([
      ['default', 'VNPT SmartCA', 'tenant', true],
      ['rsp_', 'Viettel MySign', 'tenant', false],
      ['fpt-esign', 'FPT.eSign', 'deployment', false],
    ]);
    expect((await resolveRemoteProvider(deps, 't1', 'fpt-esign')).clientSecret).toBe('fpt-from-secrets-manager');
    expect(await codeOf(removeRemoteProvider(deps, 't1', 'fpt-esign'))).toBe('forbidden');
  });

  it('PUT replaces the default in place (the old one-provider API); no providerId uses it', async () => {
    const { deps } = setup([operatorCa]);
    await setDefaultRemoteProvider(deps, 't1', vnpt);
    await setDefaultRemoteProvider(deps, 't1', { ...viettel });
    expect((await listRemoteProviders(deps, 't1')).filter((p) => p.source === 'tenant')).toHaveLength(1);
    const chosen = await resolveRemoteProvider(deps, 't1', undefined);
    expect([chosen.providerId, chosen.caName, chosen.clientSecret]).toEqual([DEFAULT_PROVIDER_ID, 'Viettel MySign', viettel.clientSecret]);
  });

  it('no providerId: the only provider there is, else remote_signing_not_configured', async () => {
    expect(await codeOf(resolveRemoteProvider(setup().deps, 't1', undefined))).toBe('remote_signing_not_configured');
    expect((await resolveRemoteProvider(setup([operatorCa]).deps, 't1', undefined)).providerId).toBe('fpt-esign');
    const { deps } = setup([operatorCa]);
    await addRemoteProvider(deps, 't1', vnpt);
    expect(await codeOf(resolveRemoteProvider(deps, 't1', undefined))).toBe('remote_signing_not_configured');
  });

  it(`refuses the ${MAX_TENANT_PROVIDERS + 1}th provider before sealing anything`, async () => {
    const { deps, items } = setup();
    let sealed = 0;
    const counting: RemoteProviderDeps = {
      ...deps,
      secretBox: {
        seal: (p, c) => {
          sealed++;
          return deps.secretBox.seal(p, c);
        },
        open: deps.secretBox.open,
      },
    };
    for (let i = 0; i < MAX_TENANT_PROVIDERS; i++) await addRemoteProvider(counting, 't1', { ...vnpt, name: `CA ${i}` });
    expect(await codeOf(addRemoteProvider(counting, 't1', vnpt))).toBe('remote_provider_limit');
    expect([sealed, items.size]).toEqual([MAX_TENANT_PROVIDERS, MAX_TENANT_PROVIDERS]);
  });

  it('removing a provider makes its id unknown', async () => {
    const { deps } = setup();
    const p = await addRemoteProvider(deps, 't1', vnpt);
    await removeRemoteProvider(deps, 't1', p.id);
    expect(await codeOf(resolveRemoteProvider(deps, 't1', p.id))).toBe('remote_provider_not_found');
    expect(await codeOf(removeRemoteProvider(deps, 't1', p.id))).toBe('remote_provider_not_found');
  });
});

describe('KYSO_REMOTE_SIGNING_PROVIDERS (the deployment’s providers, read in functions/config.ts)', () => {
  const load = (value: unknown) =>
    loadConfig({ KYSO_REMOTE_SIGNING_PROVIDERS: typeof value === 'string' ? value : JSON.stringify(value) }).remoteSigningProviders;
  const entry = { id: 'vnpt', name: 'VNPT SmartCA', baseUrl: 'https://rmgateway.example.vn', clientId: 'kyso' };

  it('takes the secret as a value or as a field of the provider-secrets secret', () => {
    expect(
      load([
        { ...entry, clientSecret: 's' },
        { ...entry, id: 'mysign', clientSecretField: 'mysignSecret' },
      ]),
    ).toEqual([
      { ...entry, clientSecret: { value: 's' } },
      { ...entry, id: 'mysign', clientSecret: { secretField: 'mysignSecret' } },
    ]);
    expect(loadConfig({}).remoteSigningProviders).toEqual([]);
  });

  it.each([
    ['not JSON', '{', /JSON array/],
    ['an object', { id: 'x' }, /JSON array/],
    ['no secret', [entry], /clientSecret/],
    ['the tenants’ id', [{ ...entry, id: 'default', clientSecret: 's' }], /unique lowercase/],
    [
      'a duplicate id',
      [
        { ...entry, clientSecret: 's' },
        { ...entry, clientSecret: 't' },
      ],
      /unique lowercase/,
    ],
    ['no URL', [{ ...entry, baseUrl: 'rmgateway', clientSecret: 's' }], /not a URL/],
    ['no name', [{ ...entry, name: ' ', clientSecret: 's' }], /needs "name"/],
  ])('refuses to start with %s', (_, value, message) => {
    expect(() => load(value)).toThrow(message);
  });
});
