/** How much of a value an error shows: enough to recognise it, never a whole 10 MB cell. */
export const SHOWN_VALUE_LENGTH = 80;

/**
 * A value as an error or a report shows it: as it is when short, else its first 80 characters and how long it
 * was (`Lorem ipsum…(10485760 characters)`), cut between characters, never inside an emoji's surrogate pair.
 */
export function cutValue(value: string, max = SHOWN_VALUE_LENGTH): string {
  if (value.length <= max) return value;
  const code = value.charCodeAt(max - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
  return `${value.slice(0, end)}…(${value.length} characters)`;
}
