/**
 * Where JSON text stops being JSON. `JSON.parse` says where for most errors, but not for an unexpected
 * token (`Unexpected token '}', "{"a": tru}" is not valid JSON`) nor for text that ends too soon: this
 * reader finds the offset itself. Pure.
 */

/** JSON's own whitespace (RFC 8259): space, tab, line feed, carriage return. */
const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const LITERALS = ['true', 'false', 'null'] as const;

/** A syntax error at this offset (a `throw` only inside this file, caught below). */
class SyntaxAt extends Error {
  readonly offset: number;
  constructor(offset: number) {
    super(`JSON syntax error at offset ${offset}`);
    this.offset = offset;
  }
}

/**
 * The offset, within `text.slice(start, end)` but counted from the start of `text`, of the first character
 * that cannot continue one JSON value (`end` when the value is cut short); undefined when it is valid JSON
 * (or nested too deep to tell).
 */
export function jsonErrorOffset(text: string, start = 0, end = text.length): number | undefined {
  let i = start;
  const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';
  const peek = (): string | undefined => (i < end ? text[i] : undefined);
  const fail = (): never => {
    throw new SyntaxAt(i);
  };
  const skipWhitespace = (): void => {
    while (i < end && WHITESPACE.has(text[i]!)) i++;
  };
  const expect = (ch: string): void => {
    if (peek() !== ch) fail();
    i++;
  };
  const digits = (): void => {
    if (!isDigit(peek())) fail();
    while (isDigit(peek())) i++;
  };
  const string = (): void => {
    expect('"');
    for (;;) {
      const ch = peek();
      if (ch === undefined || ch < ' ') fail();
      i++;
      if (ch === '"') return;
      if (ch === '\\') {
        const escape = peek();
        if (escape === 'u') {
          i++;
          for (let k = 0; k < 4; k++) {
            if (!/[0-9a-fA-F]/.test(peek() ?? '')) fail();
            i++;
          }
        } else {
          if (escape === undefined || !ESCAPES.has(escape)) fail();
          i++;
        }
      }
    }
  };
  const number = (): void => {
    if (peek() === '-') i++;
    if (peek() === '0') i++;
    else digits();
    if (peek() === '.') {
      i++;
      digits();
    }
    if (peek() === 'e' || peek() === 'E') {
      i++;
      if (peek() === '+' || peek() === '-') i++;
      digits();
    }
  };
  /** `{…}` or `[…]`: items separated by commas, after the opening bracket. */
  const items = (close: string, item: () => void): void => {
    i++;
    skipWhitespace();
    if (peek() === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      skipWhitespace();
      if (peek() === close) {
        i++;
        return;
      }
      expect(',');
    }
  };
  const member = (): void => {
    skipWhitespace();
    string();
    skipWhitespace();
    expect(':');
    value();
  };
  function value(): void {
    skipWhitespace();
    const ch = peek();
    if (ch === '{') items('}', member);
    else if (ch === '[') items(']', value);
    else if (ch === '"') string();
    else if (ch === '-' || isDigit(ch)) number();
    else {
      const literal = LITERALS.find((word) => word[0] === ch);
      if (literal === undefined) fail();
      for (const letter of literal!) expect(letter);
    }
  }
  try {
    value();
    skipWhitespace();
    if (i < end) fail();
    return undefined;
  } catch (error) {
    if (error instanceof SyntaxAt) return error.offset;
    // Nesting deeper than the stack: no position, as from JSON.parse itself.
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}
