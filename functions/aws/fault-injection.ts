/**
 * Test mode (KYSO_FAULT_RATE, KYSO_FAULT_KINDS; functions/config.ts): AWS calls fail at a rate,
 * the way AWS fails on a bad day. `throttling`, `timeout` and `5xx` fail an attempt *before* it
 * is sent (nothing happened server-side); `late-timeout` sends it and then reports a timeout (the
 * write may have happened, as a real timeout can), so retried conditional writes meet their own
 * first attempt. Never enable it in production.
 */
export const FAULT_KINDS = ['throttling', 'timeout', '5xx', 'late-timeout'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultInjection {
  /** Probability per attempt, 0..0.5. */
  readonly rate: number;
  readonly kinds: readonly FaultKind[];
}

export interface InjectedFault {
  readonly kind: FaultKind;
  readonly service: string;
  readonly operation: string;
}

/** An error shaped like the SDK's own for that failure, so its retry strategy and our classifier treat it as they would the real one. */
export const injectedError = (kind: FaultKind): Error => {
  const e = new Error(`injected fault: ${kind}`);
  switch (kind) {
    case 'throttling':
      return Object.assign(e, {
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        $retryable: { throttling: true },
      });
    case '5xx':
      return Object.assign(e, { name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 503 } });
    default:
      return Object.assign(e, { name: 'TimeoutError', code: 'ETIMEDOUT' });
  }
};

export const FAULT_MIDDLEWARE_NAME = 'kysoFaultInjection';

/**
 * The middleware: in the deserialize step, below the SDK's retry middleware (finalizeRequest),
 * so each *attempt* may fail and the SDK's retries are what recover.
 */
export const faultInjectionMiddleware =
  (faults: FaultInjection, onFault: (fault: InjectedFault) => void = () => {}, random: () => number = Math.random) =>
  <Args, Output>(next: (args: Args) => Promise<Output>, context: { clientName?: string; commandName?: string }) =>
  async (args: Args): Promise<Output> => {
    if (faults.kinds.length === 0 || random() >= faults.rate) return next(args);
    const kind = faults.kinds[Math.floor(random() * faults.kinds.length)] as FaultKind;
    onFault({ kind, service: context.clientName ?? 'aws', operation: context.commandName ?? 'unknown' });
    if (kind === 'late-timeout') await next(args);
    throw injectedError(kind);
  };

interface HasMiddlewareStack {
  readonly middlewareStack: { add(middleware: never, options: { step: 'deserialize'; name: string; priority: 'low' }): void };
}

/** Adds the fault middleware to a client's stack (every command it sends). */
export const injectFaults = (
  client: HasMiddlewareStack,
  faults: FaultInjection,
  onFault?: (fault: InjectedFault) => void,
  random?: () => number,
): void => {
  client.middlewareStack.add(faultInjectionMiddleware(faults, onFault, random) as never, {
    step: 'deserialize',
    name: FAULT_MIDDLEWARE_NAME,
    priority: 'low',
  });
};

/** Parses KYSO_FAULT_RATE / KYSO_FAULT_KINDS (default: throttling, timeout, 5xx). */
export const parseFaultInjection = (rate: string | undefined, kinds: string | undefined): FaultInjection | undefined => {
  if (rate === undefined || rate === '' || rate === '0') return undefined;
  const r = Number(rate);
  if (!(r > 0 && r <= 0.5)) throw new Error(`KYSO_FAULT_RATE must be a probability in (0, 0.5], got "${rate}"`);
  const list = (kinds || 'throttling,timeout,5xx').split(',').map((k) => k.trim());
  for (const k of list) {
    if (!(FAULT_KINDS as readonly string[]).includes(k))
      throw new Error(`KYSO_FAULT_KINDS: unknown kind "${k}"; one of ${FAULT_KINDS.join(', ')}`);
  }
  return { rate: r, kinds: list as FaultKind[] };
};
