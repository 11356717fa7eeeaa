// Median, p95 and max of a benchmark's samples (nearest rank), shared by the benchmarks.

export interface Stats {
  readonly median: number;
  readonly p95: number;
  readonly max: number;
}

export function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
  return { median: rank(0.5), p95: rank(0.95), max: sorted[sorted.length - 1] ?? NaN };
}
