import type { EnvelopeRepository } from '../envelope/ports.js';
import type { Envelope, Recipient, Tenant } from '../envelope/types.js';
import { AppError } from '../errors.js';
import type { LabourIndex } from './ports.js';
import type { ConversionRecord, LabourAct, LabourContract, LabourIdentification, LabourTerms } from './types.js';
import { invalid, type LabourTermsInput, parseDate, validateLabourTerms } from './validate-labour-contract.js';

/** `labourContract` of POST /v1/envelopes (and of templates with merge values filled in, and bulk rows). */
export interface LabourContractInput extends LabourTermsInput {
  readonly act?: LabourAct;
  /** Appendix / termination: the original's national identifier or envelope id. */
  readonly relatesTo?: string;
  readonly effectiveDate?: string;
  readonly summary?: string;
  /** Which recipients are the parties (indexes into recipients); default: matched by name, the employer by its seal. */
  readonly parties?: { readonly employee?: number; readonly employer?: number };
}

const sameName = (a: string, b: string) =>
  a.normalize('NFC').toLocaleLowerCase('vi').replace(/\s+/g, ' ').trim() ===
  b.normalize('NFC').toLocaleLowerCase('vi').replace(/\s+/g, ' ').trim();

/**
 * The employee must sign; the employer signs (its representative) or seals (the tenant's
 * organisation seal). Unless the caller names them, the employee is the signer with the
 * employee's name, and the employer the seal recipient, else the signer named as the
 * representative or the company.
 */
export const matchParties = (
  terms: LabourTerms,
  recipients: readonly Recipient[],
  parties: LabourContractInput['parties'],
): LabourContract['parties'] => {
  const pick = (index: number | undefined, field: string, roles: readonly Recipient['role'][], find: () => Recipient | undefined) => {
    const r = index === undefined ? find() : recipients[index];
    if (!r) {
      throw invalid(
        field,
        index === undefined ? 'no recipient matches this party; name it by its index in recipients.' : `recipient ${index} does not exist.`,
      );
    }
    if (!roles.includes(r.role)) throw invalid(field, `recipient "${r.name}" is a ${r.role}; this party must be ${roles.join(' or ')}.`);
    return r;
  };
  const signers = recipients.filter((r) => r.role === 'signer');
  const employee = pick(parties?.employee, 'labourContract.parties.employee', ['signer'], () =>
    signers.find((r) => sameName(r.name, terms.employee.name)),
  );
  const seals = recipients.filter((r) => r.role === 'seal');
  const employer = pick(
    parties?.employer,
    'labourContract.parties.employer',
    ['signer', 'seal'],
    () =>
      (seals.length === 1 ? seals[0] : undefined) ??
      signers.find((r) => r !== employee && (sameName(r.name, terms.employer.representative) || sameName(r.name, terms.employer.name))),
  );
  if (employee.id === employer.id) throw invalid('labourContract.parties', 'the employee and the employer must be different recipients.');
  return { employeeRecipientId: employee.id, employerRecipientId: employer.id };
};

/** The original of an appendix or termination: this tenant's, a contract, registered, not terminated. */
export const findOriginal = async (
  deps: { readonly envelopes: EnvelopeRepository; readonly labour?: { readonly index: LabourIndex } },
  tenantId: string,
  relatesTo: string,
): Promise<Envelope & { labourContract: LabourContract }> => {
  const ref = relatesTo.trim();
  const envelopeId = (await deps.labour?.index.findByNationalId(tenantId, ref)) ?? ref;
  const original = /^[A-Za-z0-9_-]{1,64}$/.test(envelopeId) ? await deps.envelopes.get(tenantId, envelopeId) : undefined;
  const contract = original?.labourContract;
  if (!original || !contract) {
    throw new AppError(
      'labour_contract_not_found',
      `labourContract.relatesTo: no labour contract "${ref}" (a national identifier or envelope id).`,
      {
        field: 'labourContract.relatesTo',
      },
    );
  }
  if (contract.act !== 'contract') {
    throw invalid('labourContract.relatesTo', `"${ref}" is an ${contract.act}; refer to the original contract.`);
  }
  if (contract.registration?.status !== 'registered' || !contract.registration.nationalId) {
    throw new AppError(
      'labour_contract_not_registered',
      `labourContract.relatesTo: contract "${ref}" is not registered with the national platform yet.`,
      {
        field: 'labourContract.relatesTo',
        status: contract.registration?.status ?? 'not-completed',
      },
    );
  }
  if (contract.terminatedBy) {
    throw new AppError(
      'labour_contract_terminated',
      `labourContract.relatesTo: contract "${ref}" was terminated (${contract.terminatedBy.nationalId}).`,
      {
        field: 'labourContract.relatesTo',
      },
    );
  }
  return original as Envelope & { labourContract: LabourContract };
};

const mergeTerms = (base: LabourTerms, change: LabourTermsInput): LabourTermsInput => ({
  ...base,
  ...change,
  employer: { ...base.employer, ...change.employer },
  employee: { ...base.employee, ...change.employee },
  salary: { ...base.salary, ...change.salary },
});

/**
 * Turns `labourContract` into what the envelope stores: validated terms, the parties matched
 * to recipients, and for an appendix or termination the original's identifiers (its terms,
 * with the appendix's changes, are validated as a whole again).
 */
export const prepareLabourContract = async (
  deps: Parameters<typeof findOriginal>[0],
  tenantId: string,
  input: LabourContractInput,
  recipients: readonly Recipient[],
  conversion?: ConversionRecord,
): Promise<LabourContract> => {
  const act = input.act ?? 'contract';
  if (act === 'contract') {
    if (input.relatesTo) throw invalid('labourContract.relatesTo', 'only an appendix or a termination relates to another contract.');
    const terms = validateLabourTerms(input);
    if (conversion) {
      // Converted from paper: the employee signed the original; the tenant's seal signs the conversion.
      const seal = recipients.find((r) => r.role === 'seal');
      if (!seal) throw invalid('labourContract.parties.employer', 'a converted contract is sealed by the tenant’s organisation seal.');
      return { act, terms, parties: { employerRecipientId: seal.id }, conversion };
    }
    return { act, terms, parties: matchParties(terms, recipients, input.parties) };
  }
  if (conversion) throw invalid('labourContract.act', 'only a contract can be converted from paper.');
  if (act !== 'appendix' && act !== 'termination') {
    throw invalid('labourContract.act', `"${String(act)}" is not one of contract, appendix, termination.`);
  }
  if (!input.relatesTo?.trim()) throw invalid('labourContract.relatesTo', `an ${act} names the contract it belongs to.`);
  const original = await findOriginal(deps, tenantId, input.relatesTo);
  const effectiveDate = parseDate(input.effectiveDate, 'labourContract.effectiveDate');
  const summary = (input.summary ?? '').normalize('NFC').trim();
  if (!summary) {
    throw invalid('labourContract.summary', act === 'appendix' ? 'say what the appendix changes.' : 'give the reason for the termination.');
  }
  if (summary.length > 2000) throw invalid('labourContract.summary', 'is longer than 2000 characters.');
  const { act: _a, relatesTo: _r, effectiveDate: _e, summary: _s, parties, ...changes } = input;
  const terms =
    act === 'appendix' ? validateLabourTerms(mergeTerms(original.labourContract.terms, changes)) : original.labourContract.terms;
  return {
    act,
    terms,
    parties: matchParties(terms, recipients, parties),
    relatesTo: { envelopeId: original.id, nationalId: original.labourContract.registration?.nationalId as string },
    effectiveDate,
    summary,
  };
};

/**
 * Whether the parties of a new labour contract must prove their identity: on by default
 * (Decree 337: the parties are identified); off only where the tenant (PUT /v1/settings
 * `{"labour": {"identityRequired": false}}`) or the deployment (KYSO_LABOUR_IDENTITY_REQUIRED=0)
 * opted out — the tenant's explicit setting wins either way.
 */
export const labourIdentification = (tenant: Tenant | undefined, deploymentDefault: boolean | undefined): LabourIdentification => {
  const own = tenant?.labour?.identityRequired;
  if (own !== undefined) return { required: own, decidedBy: 'tenant' };
  return deploymentDefault === false ? { required: false, decidedBy: 'deployment' } : { required: true, decidedBy: 'default' };
};

/**
 * Decree 337 wants the parties identified (valid ID papers or a level-2 VNeID account). When
 * `identification.required` (the default), the employee must prove who they are with the
 * contract's CCCD (eKYC of the card or VNeID: `identity_required` until then), and an employer
 * who signs in person must prove who they are too (the tenant's seal identifies the employer by
 * its certificate). A recipient's own `identity.required: false` cannot switch that off: only the
 * tenant or the deployment can. Either way the employee's expected ID number is the contract's
 * (filled in when left out; a different one is refused), so a proof of somebody else ends in
 * `identity_mismatch`.
 */
export const bindEmployeeIdentity = (
  contract: LabourContract,
  recipients: readonly Recipient[],
  identification: LabourIdentification = { required: false, decidedBy: 'tenant' },
  /** Whether the request said `identity.required: false` for recipient i (stored recipients keep no such flag). */
  declined: (i: number) => boolean = () => false,
): readonly Recipient[] => {
  const { employeeRecipientId, employerRecipientId } = contract.parties;
  const expected = contract.terms.employee.idNumber;
  return recipients.map((r, i) => {
    const party = r.id === employeeRecipientId ? 'employee' : r.id === employerRecipientId && r.role === 'signer' ? 'employer' : undefined;
    if (!party) return r;
    if (identification.required && (declined(i) || (r.identity && !r.identity.required))) {
      throw invalid(
        `recipients[${i}].identity.required`,
        `the ${party} of a labour contract is identified (Decree 337); only the tenant's settings can turn this off.`,
      );
    }
    if (party === 'employer') return identification.required ? { ...r, identity: { ...r.identity, required: true } } : r;
    if (r.identity?.idNumber && r.identity.idNumber !== expected) {
      throw invalid(`recipients[${i}].identity.idNumber`, 'is not the employee’s CCCD (labourContract.employee.idNumber).');
    }
    const required = identification.required || !!r.identity?.required;
    return required ? { ...r, identity: { ...r.identity, required: true, idNumber: expected } } : r;
  });
};
