/**
 * Rows of a `kubectl get` table, cell by cell. Columns are cut where the header's
 * words start, so an empty cell (kubectl prints nothing for a JSONPath that matches
 * nothing) stays empty instead of shifting the cells after it.
 */
export function kubectlTable(stdout: string): Array<Record<string, string>> {
  const [header, ...rows] = stdout.replace(/\n+$/, '').split('\n');
  if (header === undefined) return [];
  const starts = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0], at: m.index }));
  return rows.map((row) =>
    Object.fromEntries(
      starts.map(({ name, at }, i) => {
        const end = starts[i + 1]?.at ?? row.length;
        return [name, row.slice(at, end).trim()];
      }),
    ),
  );
}
