/** A string in a JSON text, by its bytes: where it is and what it is under. */
export interface StringToken {
  /** The opening quote. */
  readonly start: number;
  /** Just after the closing quote. */
  readonly end: number;
  readonly isKey: boolean;
  /** The member names from the outermost object down to this value (arrays are transparent); for a key, its parent's. */
  readonly keys: readonly string[];
  /** Ids of the objects that contain it, outermost first (numbered in the order they open). */
  readonly objects: readonly number[];
}

interface Frame {
  readonly isObject: boolean;
  readonly id: number;
  /** The member being read (objects), or undefined before its name. */
  key: string | undefined;
  isExpectingKey: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const decoder = new TextDecoder();

/** Just after the closing quote of the string whose opening quote is at `at`. */
export function stringEnd(bytes: Uint8Array, at: number, limit: number): number {
  let i = at + 1;
  while (i < limit) {
    const b = bytes[i] as number;
    if (b === BACKSLASH) i += 2;
    else if (b === QUOTE) return i + 1;
    else i++;
  }
  return limit;
}

/**
 * Every string of one JSON value held in `bytes[start, end)`, which the caller has checked is well-formed JSON
 * (JSON.parse): the byte offsets let a string be overwritten where it lies, the keys and objects say what it is.
 */
export function stringTokens(bytes: Uint8Array, start = 0, end = bytes.length): StringToken[] {
  const tokens: StringToken[] = [];
  const stack: Frame[] = [];
  let objects = 0;
  const keysOf = (): string[] => stack.filter((f) => f.isObject && f.key !== undefined).map((f) => f.key as string);
  const objectsOf = (): number[] => stack.filter((f) => f.isObject).map((f) => f.id);
  let i = start;
  while (i < end) {
    const b = bytes[i] as number;
    const top = stack[stack.length - 1];
    switch (b) {
      case 0x7b: // {
        stack.push({ isObject: true, id: objects++, key: undefined, isExpectingKey: true });
        i++;
        break;
      case 0x5b: // [
        stack.push({ isObject: false, id: -1, key: undefined, isExpectingKey: false });
        i++;
        break;
      case 0x7d: // }
      case 0x5d: // ]
        stack.pop();
        i++;
        break;
      case 0x2c: // ,
        if (top?.isObject === true) {
          top.isExpectingKey = true;
          top.key = undefined;
        }
        i++;
        break;
      case QUOTE: {
        const close = stringEnd(bytes, i, end);
        if (top?.isObject === true && top.isExpectingKey) {
          tokens.push({ start: i, end: close, isKey: true, keys: keysOf(), objects: objectsOf() });
          top.key = JSON.parse(decoder.decode(bytes.subarray(i, close))) as string;
          top.isExpectingKey = false;
        } else {
          tokens.push({ start: i, end: close, isKey: false, keys: keysOf(), objects: objectsOf() });
        }
        i = close;
        break;
      }
      default:
        // ':' , whitespace, and the bytes of numbers, true, false and null
        i++;
    }
  }
  return tokens;
}
