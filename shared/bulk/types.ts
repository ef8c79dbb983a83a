/** A bulk send: one envelope per CSV row, processed by the worker in chunks ('bulk' queue). */
export interface BulkJob {
  readonly id: string;
  readonly tenantId: string;
  readonly templateId: string;
  readonly send: boolean;
  readonly total: number;
  readonly chunkSize: number;
  readonly createdAt: string;
  /** CSV columns that are neither merge fields nor recipient columns (reported, not an error). */
  readonly ignoredColumns: readonly string[];
  /** How many rows are recorded as done / failed (each row counted once, however often it is recorded). */
  readonly done: number;
  readonly failed: number;
}

/** One data row of the CSV as the worker gets it (in the queue message, so no S3 read per chunk). */
export interface BulkRowInput {
  /** 1-based number of the data row (the first row after the header is 1). */
  readonly row: number;
  /** Line of the file where the row starts (rows may span lines inside quotes). */
  readonly line: number;
  readonly values: Readonly<Record<string, string>>;
  /** By role key: what the row's columns `<key>_name` / `<key>_email` hold (absent when the CSV has no such column). */
  readonly recipients: Readonly<Record<string, { readonly name?: string; readonly email?: string }>>;
  /** Set when the row cannot be read at all (e.g. more cells than the header). */
  readonly error?: string;
}

export interface BulkRowResult {
  readonly row: number;
  readonly line: number;
  readonly status: 'done' | 'failed';
  readonly envelopeId?: string;
  readonly code?: string;
  readonly reason?: string;
}

/** The body of one 'bulk' queue message. */
export interface BulkChunkJob {
  readonly tenantId: string;
  readonly jobId: string;
  readonly chunk: number;
  readonly rows: readonly BulkRowInput[];
}

export interface BulkJobRepository {
  create(job: BulkJob): Promise<void>;
  get(tenantId: string, jobId: string): Promise<BulkJob | undefined>;
  /** The recorded outcomes of these rows (one read for a chunk's rows, which are consecutive), by row number. */
  getRows(tenantId: string, jobId: string, rows: readonly number[]): Promise<Map<number, BulkRowResult>>;
  /**
   * Records a row's outcome unless it has one (a conditional write) and returns the outcome that
   * stands: `result`, or the one recorded before (a redelivered message). Not counted yet: see countRows.
   */
  recordRow(tenantId: string, jobId: string, result: BulkRowResult): Promise<BulkRowResult>;
  /** recordRow for a chunk's outcomes at once (one write for all when none was recorded before), in order. */
  recordRows(tenantId: string, jobId: string, results: readonly BulkRowResult[]): Promise<BulkRowResult[]>;
  /**
   * Counts recorded outcomes in the job's done/failed totals, a chunk's rows in one write. Each row
   * is counted once however often this repeats (the totals are sets of row numbers).
   */
  countRows(tenantId: string, jobId: string, results: readonly BulkRowResult[]): Promise<void>;
  listRows(tenantId: string, jobId: string, options?: { status?: BulkRowResult['status'] }): Promise<BulkRowResult[]>;
  /** Counts one failed attempt at a row (an unexpected error) and returns how many there were. */
  countFailedAttempt(tenantId: string, jobId: string, row: number): Promise<number>;
}
