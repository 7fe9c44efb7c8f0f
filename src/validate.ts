import { ConfigError } from './errors.js';

/** Checks a duration or count option: a finite number within bounds, else a {@link ConfigError} naming it. */
export function checkNumber(
  field: string,
  value: number,
  { min = 0, integer = false }: { min?: number; integer?: boolean } = {},
): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    (integer && !Number.isInteger(value))
  ) {
    throw new ConfigError(
      field,
      `${integer ? 'an integer' : 'a finite number'} >= ${min}`,
      String(value),
    );
  }
  return value;
}

/** DNS-1123 label: what Kubernetes accepts as a namespace name. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** DNS-1123 subdomain: what Kubernetes accepts as most object names. */
export const DNS1123_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Checks a Kubernetes name: a DNS-1123 subdomain (or label), at most 253 (63) characters. */
export function checkKubernetesName(
  field: string,
  value: string | undefined,
  kind: 'label' | 'subdomain',
): string {
  const max = kind === 'label' ? 63 : 253;
  const pattern = kind === 'label' ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
  if (value === undefined || value === '')
    throw new ConfigError(field, `a DNS-1123 ${kind} (it is not set)`);
  if (value.length > max || !pattern.test(value)) {
    throw new ConfigError(
      field,
      `a DNS-1123 ${kind}: lower-case letters, digits and '-', at most ${max} characters`,
      value,
    );
  }
  return value;
}

/** Parses a count given as text (a flag or an environment variable): digits only, within bounds. */
export function parseCount(
  field: string,
  text: string,
  { min = 0, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {},
): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(field, `an integer from ${String(min)} to ${String(max)}`, text);
  }
  return value;
}
