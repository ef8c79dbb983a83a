import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
/**
 * Every benchmark target of issue 16 is printed with its measured value and PASS/FAIL, and
 * collected so the run ends with one table. Benchmarks, not timed tests: the machine is shared.
 */
export interface TargetResult {
  readonly name: string;
  readonly measured: string;
  readonly target: string;
  readonly pass: boolean | undefined;
}

const results: TargetResult[] = [];

export const report = (name: string, measured: string, target: string, pass: boolean | undefined): void => {
  results.push({ name, measured, target, pass });
  const mark = pass === undefined ? 'INFO' : pass ? 'PASS' : 'FAIL';
  console.log(`  [${mark}] ${name}: ${measured}  (target ${target})`);
};

export const atMost = (name: string, value: number, limit: number, unit: string, digits = 1): void =>
  report(name, `${value.toFixed(digits)} ${unit}`, `≤ ${limit} ${unit}`, value <= limit);

export const atLeast = (name: string, value: number, limit: number, unit: string, digits = 1): void =>
  report(name, `${value.toFixed(digits)} ${unit}`, `≥ ${limit} ${unit}`, value >= limit);

export const summary = (): void => {
  if (!results.length) return;
  console.log('\nTargets (issue 16), this run:');
  for (const r of results) {
    const mark = r.pass === undefined ? 'INFO' : r.pass ? 'PASS' : 'FAIL';
    console.log(`  ${mark}  ${r.name.padEnd(64)} ${r.measured.padStart(16)}   ${r.target}`);
  }
};

/**
 * A full garbage collection, so what a measurement is charged for is its own garbage, not
 * what earlier parts of the run left behind (the engine bench leaves tens of MB that the
 * verification bench's collections would otherwise walk). gc is exposed here, not by a flag.
 */
export const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

export const percentile = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
