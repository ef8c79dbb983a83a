/**
 * Electronic labour contracts (Decree 337/2025/NĐ-CP, Circular 08/2026/TT-BNV): the main
 * terms carried by an envelope, and its registration with the national e-labour-contract
 * platform of the Ministry of Home Affairs.
 */
export type LabourContractType = 'indefinite' | 'fixed-term';
/** `contract`: a new contract (signed, or converted from paper); `appendix` / `termination`: of a registered one. */
export type LabourAct = 'contract' | 'appendix' | 'termination';

export interface LabourEmployer {
  readonly name: string;
  /** Mã số thuế: 10 digits, or 10-3 for a branch. */
  readonly taxCode: string;
  readonly representative: string;
  readonly address: string;
}

export interface LabourEmployee {
  readonly name: string;
  /** CCCD: 12 digits. */
  readonly idNumber: string;
  /** YYYY-MM-DD */
  readonly dateOfBirth: string;
  readonly address: string;
}

/** The main terms the platform receives (dates are ISO YYYY-MM-DD). */
export interface LabourTerms {
  readonly employer: LabourEmployer;
  readonly employee: LabourEmployee;
  readonly contractType: LabourContractType;
  readonly startDate: string;
  readonly endDate?: string;
  readonly jobTitle: string;
  readonly workplace: string;
  readonly salary: { readonly amount: number; readonly currency: 'VND' };
  readonly workingHours?: string;
}

/** Who converted a paper contract, when, and from which original (Decree 337: the conversion record). */
export interface ConversionRecord {
  readonly convertedBy: string;
  /** ISO instant */
  readonly convertedAt: string;
  /** The paper original: its number/reference, and when it was signed (YYYY-MM-DD). */
  readonly originalReference: string;
  readonly originalSignedAt?: string;
}

export type RegistrationStatus = 'pending' | 'submitted' | 'registered' | 'rejected';

/**
 * The registration of a completed labour contract. Written as `pending` by the same
 * conditional write that completes the envelope; then only the delivery worker, the sweep
 * and the retry route change it (conditional writes on the envelope's version).
 */
export interface LabourRegistration {
  readonly status: RegistrationStatus;
  /** When the envelope completed: the 24-hour clock of Decree 337 runs from here. */
  readonly owedSince: string;
  /** Delivery attempts so far (each one audited). */
  readonly attempts: number;
  /** Not before this instant (backoff after a transient failure). */
  readonly nextAttemptAt?: string;
  /** The platform's reference of our submission (status polling). */
  readonly submissionId?: string;
  /** The platform's identifier of the contract: never changes once given. */
  readonly nationalId?: string;
  readonly registeredAt?: string;
  /** The platform's reason for a rejection. */
  readonly reason?: string;
  readonly lastError?: string;
  /** Set once the 20-hour alarm fired. */
  readonly lateSince?: string;
  /** Set once 24 hours passed without registration, with why. */
  readonly overdueSince?: string;
  readonly overdueReason?: string;
}

export interface LabourIdentification {
  readonly required: boolean;
  readonly decidedBy: 'default' | 'tenant' | 'deployment';
}

/** What an envelope carries when it is a labour contract, an appendix or a termination. */
export interface LabourContract {
  readonly act: LabourAct;
  /** Main terms: a contract's own; an appendix's or termination's are the original's (with changes for an appendix). */
  readonly terms: LabourTerms;
  /** Recipients matched to the parties: the employee signs, the employer signs or seals. */
  readonly parties: {
    /** Absent for a contract converted from paper (the employee signed the paper original). */
    readonly employeeRecipientId?: string;
    readonly employerRecipientId: string;
  };
  /** Appendix / termination: the original contract. */
  readonly relatesTo?: { readonly envelopeId: string; readonly nationalId: string };
  /** Appendix / termination: from when it applies (YYYY-MM-DD), and what changes or why it ends. */
  readonly effectiveDate?: string;
  readonly summary?: string;
  readonly conversion?: ConversionRecord;
  /**
   * Decree 337: the parties are identified. `required`: the employee (and an employer who signs
   * in person) must prove who they are (eKYC of the CCCD or VNeID) before signing; `decidedBy`:
   * the default, or an explicit opt-out by the tenant (PUT /v1/settings) or the deployment
   * (KYSO_LABOUR_IDENTITY_REQUIRED=0). Absent on contracts created before it was recorded.
   */
  readonly identification?: LabourIdentification;
  readonly registration?: LabourRegistration;
  /** On an original contract: the registered termination that ended it. */
  readonly terminatedBy?: { readonly envelopeId: string; readonly nationalId: string };
}
