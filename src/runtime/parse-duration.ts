import { ConfigError } from '../errors.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

const DURATION = /^(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h)/;

/**
 * Parses a Go-style duration (`time.ParseDuration`): `30s`, `2m`, `1h30m`, `1.5s`,
 * `250ms`; `0` alone needs no unit. Returns milliseconds.
 *
 * @throws ConfigError naming `field` for anything else (negative durations included).
 */
export function parseDuration(field: string, text: string): number {
  const expected = 'a duration such as 30s, 2m, 1h30m or 500ms';
  const input = text.trim();
  if (input === '0') return 0;
  if (input === '') throw new ConfigError(field, expected, text);
  let rest = input;
  let total = 0;
  while (rest !== '') {
    const match = DURATION.exec(rest);
    if (match === null) throw new ConfigError(field, expected, text);
    const [token] = match;
    const unit = /[a-zµμ]+$/.exec(token)?.[0] ?? '';
    total += Number(token.slice(0, token.length - unit.length)) * (UNIT_MS[unit] ?? NaN);
    rest = rest.slice(token.length);
  }
  if (!Number.isFinite(total)) throw new ConfigError(field, expected, text);
  return total;
}

/** A duration given as milliseconds or as a Go-style string (see {@link parseDuration}). */
export function toMilliseconds(field: string, value: number | string): number {
  if (typeof value === 'string') return parseDuration(field, value);
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigError(
      field,
      'a duration: milliseconds >= 0, or a string such as 30s',
      String(value),
    );
  }
  return value;
}

/** Formats milliseconds the Go way, for logs and help: `90000` → `1m30s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1_000) return `${ms}ms`;
  let rest = ms;
  let out = '';
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
  ] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  if (rest > 0) out += `${rest / 1_000}s`;
  return out;
}
