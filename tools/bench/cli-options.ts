// Parsing of the benchmark tools' integer options (--faults, --seed, ...), one rule for all: a
// decimal integer within bounds, else an error naming the option.

export function intOption(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || n < min || n > max)
    throw new Error(`--${name} wants an integer from ${min} to ${max}, got '${value}'`);
  return n;
}
