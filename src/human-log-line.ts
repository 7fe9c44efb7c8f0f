/**
 * The human form of one pino log record, for a terminal: one line, time first. Status
 * lines read as what they say (phase, healthy/total, tools, what changed); any other
 * record as level, message and its fields as `key=value`. Pure.
 */

/** Options of {@link humanLogLine}. */
export interface HumanLogLineOptions {
  /** ANSI colours (a terminal). Defaults to false. */
  readonly color?: boolean;
  /** Times in UTC instead of local time (tests). Defaults to false. */
  readonly utc?: boolean;
}

/** A backend change as the log reporter writes it (`BackendChange`). */
interface ChangeRecord {
  readonly name?: unknown;
  readonly kind?: unknown;
  readonly from?: unknown;
  readonly to?: unknown;
  readonly errorCategory?: unknown;
}

const LEVELS: Readonly<Record<number, string>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** Fields every record has, or that a line shows in its own way. */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'v']);

const ANSI = { red: 31, green: 32, yellow: 33, gray: 90, bold: 1 } as const;
const PHASE_COLOR: Readonly<Record<string, keyof typeof ANSI>> = {
  Ready: 'green',
  Degraded: 'yellow',
  Failed: 'red',
  Pending: 'gray',
};

/** One record (a parsed pino JSON line) as one line of text, without the newline. */
export function humanLogLine(
  record: Readonly<Record<string, unknown>>,
  options: HumanLogLineOptions = {},
): string {
  const paint = (color: keyof typeof ANSI, text: string): string =>
    options.color === true ? `\u001b[${ANSI[color]}m${text}\u001b[0m` : text;
  const time = clockTime(record.time, options.utc === true);
  const phase = (value: unknown): string => {
    const text = String(value);
    return paint(PHASE_COLOR[text] ?? 'bold', text.padEnd(8));
  };
  const counts = `${String(record.healthyBackends)}/${String(record.configuredBackends)} healthy  ${String(record.totalToolCount)} tools`;

  switch (record.msg) {
    case 'runtime status changed': {
      const changes = Array.isArray(record.changes)
        ? (record.changes as ChangeRecord[]).map(describeChange)
        : [];
      if (typeof record.moreChanges === 'number') changes.push(`${record.moreChanges} more`);
      return `${time} ${phase(record.phase)} ${counts}  ${changes.join(', ')}`.trimEnd();
    }
    case 'runtime status summary':
      return `${time} ${phase(record.phase)} ${counts}  ${paint('gray', '(summary)')}`;
    case 'runtime status summary: nothing reported yet':
      return `${time} ${phase('Pending')} ${paint('gray', '(summary: nothing reported yet)')}`;
    case 'demo: watch it':
    case 'demo: see who owns each field':
      return `${time} ${paint('bold', 'demo    ')} ${record.msg.slice('demo: '.length)}: ${String(record.command)}`;
    case 'backend health changed': {
      const why = typeof record.errorCategory === 'string' ? ` (${record.errorCategory})` : '';
      const from = typeof record.previousStatus === 'string' ? `${record.previousStatus} → ` : '';
      return `${time} ${paint('gray', 'backend ')} ${String(record.backend)} ${from}${String(record.status)}${why}`;
    }
    case 'demo step':
      return `${time} ${paint('bold', 'demo    ')} next ${String(record.phase)} for ${String(record.forDuration)}: ${String(record.note)}`;
  }

  const level = LEVELS[Number(record.level)] ?? String(record.level);
  const levelText = level.padEnd(8);
  const painted =
    level === 'warn'
      ? paint('yellow', levelText)
      : level === 'error' || level === 'fatal'
        ? paint('red', levelText)
        : paint('gray', levelText);
  const fields = Object.entries(record)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  return [`${time} ${painted} ${typeof record.msg === 'string' ? record.msg : ''}`, ...fields].join(
    '  ',
  );
}

function describeChange(change: ChangeRecord): string {
  const name = String(change.name);
  const why = typeof change.errorCategory === 'string' ? ` (${change.errorCategory})` : '';
  switch (change.kind) {
    case 'added':
      return `${name} added ${String(change.to)}${why}`;
    case 'removed':
      return `${name} removed`;
    default:
      return `${name} ${String(change.from)} → ${String(change.to)}${why}`;
  }
}

/** `HH:MM:SS` of an epoch-milliseconds time. */
function clockTime(time: unknown, utc: boolean): string {
  if (typeof time !== 'number') return '--:--:--';
  const date = new Date(time);
  const parts = utc
    ? [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    : [date.getHours(), date.getMinutes(), date.getSeconds()];
  return parts.map((n) => String(n).padStart(2, '0')).join(':');
}

/** A field's value: bare when it reads unambiguously, JSON otherwise. */
function fieldText(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (isErrorRecord(value)) return JSON.stringify(value.message);
  return JSON.stringify(value);
}

function isErrorRecord(value: unknown): value is { message: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'message' in value &&
    typeof value.message === 'string' &&
    'stack' in value
  );
}
