import { describe, expect, it } from 'vitest';
import type { Recipient, Tenant } from '../../../shared/envelope/types.js';
import { AppError } from '../../../shared/errors.js';
import { bindEmployeeIdentity, labourIdentification } from '../../../shared/labour/prepare-labour-contract.js';
import type { LabourContract } from '../../../shared/labour/types.js';

const tenant = (labour?: Tenant['labour']): Tenant =>
  ({ id: 't1', name: 'Công ty', createdAt: '2026-01-01T00:00:00Z', ...(labour ? { labour } : {}) }) as Tenant;
const recipient = (id: string, role: Recipient['role'], extra: Partial<Recipient> = {}): Recipient =>
  ({ id, name: id, email: `${id}@example.vn`, role, order: 1, status: 'pending', ...extra }) as Recipient;
const contract = (employerRecipientId: string): LabourContract =>
  ({
    act: 'contract',
    terms: { employee: { idNumber: '079203001234' } },
    parties: { employeeRecipientId: 'worker', employerRecipientId },
  }) as unknown as LabourContract;

describe('labourIdentification (Decree 337: parties identified)', () => {
  it('is required by default; the tenant’s explicit setting wins over the deployment’s', () => {
    expect(labourIdentification(tenant(), undefined)).toEqual({ required: true, decidedBy: 'default' });
    expect(labourIdentification(tenant(), true)).toEqual({ required: true, decidedBy: 'default' });
    expect(labourIdentification(tenant(), false)).toEqual({ required: false, decidedBy: 'deployment' });
    expect(labourIdentification(tenant({ identityRequired: false }), true)).toEqual({ required: false, decidedBy: 'tenant' });
    expect(labourIdentification(tenant({ identityRequired: true }), false)).toEqual({ required: true, decidedBy: 'tenant' });
    expect(labourIdentification(undefined, undefined)).toEqual({ required: true, decidedBy: 'default' });
  });
});

describe('bindEmployeeIdentity', () => {
  const required = { required: true, decidedBy: 'default' } as const;
  const optedOut = { required: false, decidedBy: 'tenant' } as const;

  it('required: the employee proves the contract’s CCCD, an employer signing in person proves who they are, a seal nothing', () => {
    const rs = [recipient('worker', 'signer'), recipient('boss', 'signer'), recipient('viewer', 'viewer')];
    const bound = bindEmployeeIdentity(contract('boss'), rs, required);
    expect(bound[0]?.identity).toEqual({ required: true, idNumber: '079203001234' });
    expect(bound[1]?.identity).toEqual({ required: true });
    expect(bound[2]?.identity).toBeUndefined();
    const sealed = bindEmployeeIdentity(contract('seal'), [recipient('worker', 'signer'), recipient('seal', 'seal')], required);
    expect(sealed[1]?.identity).toBeUndefined();
  });

  it('a recipient cannot decline it for itself; a different expected CCCD is refused', () => {
    const rs = [recipient('worker', 'signer'), recipient('boss', 'signer')];
    const fieldOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect((e as AppError).code).toBe('invalid_labour_contract');
        return ((e as AppError).details as { field: string }).field;
      }
      return undefined;
    };
    expect(fieldOf(() => bindEmployeeIdentity(contract('boss'), rs, required, (i) => i === 1))).toBe('recipients[1].identity.required');
    const wrong = [recipient('worker', 'signer', { identity: { required: true, idNumber: '001099000001' } }), rs[1] as Recipient];
    expect(fieldOf(() => bindEmployeeIdentity(contract('boss'), wrong, required))).toBe('recipients[0].identity.idNumber');
    expect(() => bindEmployeeIdentity(contract('boss'), rs, optedOut, (i) => i === 1)).not.toThrow(AppError);
  });

  it('opted out: nothing is asked unless the sender asks, and then the contract’s CCCD', () => {
    const rs = [recipient('worker', 'signer'), recipient('boss', 'signer')];
    expect(bindEmployeeIdentity(contract('boss'), rs, optedOut).map((r) => r.identity)).toEqual([undefined, undefined]);
    const asked = [recipient('worker', 'signer', { identity: { required: true } }), rs[1] as Recipient];
    expect(bindEmployeeIdentity(contract('boss'), asked, optedOut)[0]?.identity).toEqual({ required: true, idNumber: '079203001234' });
  });
});
