import { mergeText } from '../templates/merge.js';
import type { MergeValues } from '../templates/types.js';
import type { LabourContractInput } from './prepare-labour-contract.js';
import { invalid } from './validate-labour-contract.js';

/**
 * A template's `labourContract`: the same shape as on POST /v1/envelopes, where any text may
 * hold merge fields (`"idNumber": "{{cccd}}"`), filled per envelope — so a bulk CSV row makes
 * one labour contract from its columns, validated like any other (a bad CCCD fails its row
 * with 400 `invalid_labour_contract` naming the field). `parties` are indexes into the roles.
 */
const textsOf = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(textsOf) : [];

/** Every text of the template's labour contract (their merge fields are the template's too). */
export const labourContractTexts = (contract: LabourContractInput | undefined): string[] => textsOf(contract);

const fill = (v: unknown, values: MergeValues): unknown => {
  if (typeof v === 'string') return mergeText(v, values);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, values)]));
  return v;
};

/** The labour contract of one envelope made from the template. */
export const mergeLabourContract = (contract: LabourContractInput, values: MergeValues): LabourContractInput =>
  fill(contract, values) as LabourContractInput;

/** The template's parties must name roles that can be them (the employee signs; the employer signs or seals). */
export const checkTemplateParties = (contract: LabourContractInput, roles: readonly { readonly role: string }[]): void => {
  const check = (index: number | undefined, party: 'employee' | 'employer', allowed: readonly string[]) => {
    if (index === undefined) return;
    const role = roles[index];
    const field = `labourContract.parties.${party}`;
    if (!role) throw invalid(field, `role ${index} does not exist.`);
    if (!allowed.includes(role.role)) throw invalid(field, `role ${index} is a ${role.role}; it must be ${allowed.join(' or ')}.`);
  };
  check(contract.parties?.employee, 'employee', ['signer']);
  check(contract.parties?.employer, 'employer', ['signer', 'seal']);
};
