/** Accumulates wall time per category (pdf, kms, s3, ddb…) for Server-Timing and the benchmark. */
export class Timer {
  readonly totals: Record<string, number> = {};

  async time<T>(category: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.add(category, performance.now() - started);
    }
  }

  add(category: string, ms: number): void {
    this.totals[category] = (this.totals[category] ?? 0) + ms;
  }

  /** `pdf;dur=12.3, kms;dur=40.1` */
  serverTiming(): string {
    return Object.entries(this.totals)
      .map(([k, v]) => `${k};dur=${v.toFixed(1)}`)
      .join(', ');
  }
}
