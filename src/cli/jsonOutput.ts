/**
 * JSON for other tools. JSON has no Infinity; an infinite SQNR (no error at all) is written as
 * 1e999, a valid JSON number that JavaScript's JSON.parse and Python's json.loads read back as
 * Infinity. NaN never reaches a report (numerics contract).
 */
export function toJson(value: unknown): string {
  const marker = '\u0000inf\u0000';
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) {
        if (Number.isNaN(v)) throw new Error('NaN reached a report');
        return v > 0 ? marker : `-${marker}`;
      }
      return v;
    },
    2,
  );
  return text.replace(/"-\\u0000inf\\u0000"/g, '-1e999').replace(/"\\u0000inf\\u0000"/g, '1e999');
}
