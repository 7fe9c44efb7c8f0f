/**
 * The keys that occur more than once in one JSON object anywhere in `text`, as
 * `path.key`. `JSON.parse` keeps the last of duplicates silently, so it cannot tell;
 * this walks the text itself. Throws on text that is not JSON.
 */
export function duplicateKeys(text: string): string[] {
  let at = 0;
  const found: string[] = [];
  const space = () => {
    while (/\s/.test(text[at] ?? '')) at++;
  };
  const expect = (char: string) => {
    space();
    if (text[at] !== char) throw new SyntaxError(`expected ${char} at ${at} in ${text}`);
    at++;
  };
  const string = (): string => {
    expect('"');
    const start = at - 1;
    while (text[at] !== '"') {
      if (at >= text.length) throw new SyntaxError(`unterminated string in ${text}`);
      at += text[at] === '\\' ? 2 : 1;
    }
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const value = (path: string): void => {
    space();
    const char = text[at];
    if (char === '{') {
      at++;
      const keys = new Set<string>();
      space();
      if (text[at] === '}') {
        at++;
        return;
      }
      for (;;) {
        const key = string();
        if (keys.has(key)) found.push(`${path}${key}`);
        keys.add(key);
        expect(':');
        value(`${path}${key}.`);
        space();
        if (text[at] === ',') {
          at++;
          continue;
        }
        expect('}');
        return;
      }
    }
    if (char === '[') {
      at++;
      space();
      if (text[at] === ']') {
        at++;
        return;
      }
      for (let i = 0; ; i++) {
        value(`${path}${i}.`);
        space();
        if (text[at] === ',') {
          at++;
          continue;
        }
        expect(']');
        return;
      }
    }
    if (char === '"') {
      string();
      return;
    }
    const literal = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(at));
    if (literal === null) throw new SyntaxError(`unexpected ${char ?? 'end'} at ${at} in ${text}`);
    at += literal[0].length;
  };
  value('');
  space();
  if (at !== text.length) throw new SyntaxError(`trailing text at ${at} in ${text}`);
  return found;
}
