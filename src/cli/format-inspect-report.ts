import type { InspectReport, InspectedCondition } from './inspect-report.js';

const SOURCES: Readonly<Record<InspectReport['layoutSource'], string>> = {
  forced: 'as --status-layout says',
  schema: "from the CRD's published schema",
  object: 'from the object: it holds status.runtime',
  default: "no schema to read: this project's default",
};

/**
 * The report as text: the object, its phase and counts, its conditions, then every
 * status field with its manager, operation and time; a `!` and the table's owner
 * mark a foreign writer. Pure.
 */
export function formatInspectReport(report: InspectReport): string {
  const { runtime } = report;
  const lines: string[] = [
    `VirtualMCPServer ${report.namespace}/${report.name} (${report.apiVersion})`,
    `Status layout: ${report.layout} (${SOURCES[report.layoutSource]})`,
    `Phase:         ${report.phase ?? '-'}${report.message !== undefined ? `: ${report.message}` : ''}`,
  ];
  if (report.layout === 'runtime') {
    lines.push(
      `Runtime phase: ${runtime.phase ?? '-'}${runtime.message !== undefined ? `: ${runtime.message}` : ''}`,
    );
  }
  const counts = [
    `${String(runtime.backendCount ?? 0)} routable of ${String(runtime.discoveredBackends)}`,
    ...(runtime.healthyBackends !== undefined
      ? [`${String(runtime.healthyBackends)} healthy`]
      : []),
    ...(runtime.unhealthyBackends !== undefined
      ? [`${String(runtime.unhealthyBackends)} unhealthy`]
      : []),
    ...(runtime.totalToolCount !== undefined ? [`${String(runtime.totalToolCount)} tools`] : []),
  ];
  lines.push(`Backends:      ${counts.join(', ')}`);
  if (runtime.lastDiscoveryTime !== undefined)
    lines.push(`Discovered:    ${runtime.lastDiscoveryTime}`);
  lines.push('', 'Conditions:', ...conditionTable(report.conditions));
  if (report.layout === 'runtime') {
    lines.push('', 'Runtime conditions (status.runtime):', ...conditionTable(runtime.conditions));
  }
  lines.push('', 'Status fields:');
  lines.push(
    ...table([
      ['', 'FIELD', 'MANAGER', 'OPERATION', 'TIME', 'OWNER BY THE TABLE'],
      ...report.fields.map((f) => [
        f.foreign ? '!' : '',
        f.field,
        f.manager,
        f.operation,
        f.time ?? '-',
        f.owner === undefined
          ? '(not in the table)'
          : `${f.owner}${f.expectedManager !== undefined ? ` (${f.expectedManager})` : ''}`,
      ]),
    ]),
  );
  lines.push('');
  lines.push(
    report.foreignWriters.length === 0
      ? 'Every status field is owned as the ownership table says.'
      : `Foreign writers: ${report.foreignWriters.join(', ')} (fields marked !).`,
  );
  return `${lines.join('\n')}\n`;
}

function conditionTable(conditions: readonly InspectedCondition[]): string[] {
  if (conditions.length === 0) return ['  (none)'];
  return table([
    ['', 'TYPE', 'STATUS', 'REASON', 'LAST TRANSITION', 'MESSAGE'],
    ...conditions.map((c) => ['', c.type, c.status, c.reason, c.lastTransitionTime, c.message]),
  ]);
}

/** Columns padded to their widest cell, two spaces apart, after a one-character marker column. */
function table(rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((row) => {
    const [marker = '', ...cells] = row;
    const body = cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i + 1] ?? 0)))
      .join('  ');
    return `${marker.padEnd(1)} ${body}`.trimEnd();
  });
}
