// Fetch's range header value parser (https://fetch.spec.whatwg.org/#simple-range-header-value),
// for fetch() of a blob: URL with a Range header.

/** https://fetch.spec.whatwg.org/#simple-range-header-value: [start, end], either null (not both), or null for failure. */
export function parseSingleRangeHeaderValue(value: string, allowWhitespace: boolean): [number | null, number | null] | null {
  let position = 0;
  const skipWhitespace = (): void => {
    if (allowWhitespace) while (value[position] === ' ' || value[position] === '\t') position++;
  };
  const digits = (): number | null => {
    const start = position;
    while (position < value.length && value.charCodeAt(position) >= 0x30 && value.charCodeAt(position) <= 0x39) position++;
    return position === start ? null : Number(value.slice(start, position));
  };
  // Steps 2-5: "bytes", optional whitespace, "=".
  if (!value.startsWith('bytes')) return null;
  position = 5;
  skipWhitespace();
  if (value[position] !== '=') return null;
  position++;
  // Steps 6-12: start digits, "-", end digits, whitespace allowed around each.
  skipWhitespace();
  const rangeStart = digits();
  skipWhitespace();
  if (value[position] !== '-') return null;
  position++;
  skipWhitespace();
  const rangeEnd = digits();
  // Steps 13-16.
  if (position < value.length) return null;
  if (rangeStart === null && rangeEnd === null) return null;
  if (rangeStart !== null && rangeEnd !== null && rangeStart > rangeEnd) return null;
  return [rangeStart, rangeEnd];
}
