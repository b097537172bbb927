/**
 * Meta's limits on an interactive message (business-messaging-api v23.0, InteractiveObject, ActionObject,
 * SectionObject), counted in UTF-16 code units — never fewer than the characters Meta counts, so a value within
 * them is within Meta's.
 */
export const INTERACTIVE_LIMITS = {
  body: 1024,
  footer: 60,
  listButton: 20,
  sections: 10,
  /** Over all sections: Meta's list message guide; the schema says 10 a section. */
  rows: 10,
  sectionTitle: 24,
  rowId: 200,
  rowTitle: 24,
  rowDescription: 72,
  buttons: 3,
  buttonId: 256,
  buttonTitle: 20,
} as const;

/**
 * `text` within `max` code units: as it is when it fits, else cut with an ellipsis, between characters — never
 * inside an emoji's surrogate pair.
 */
export function cutToLimit(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end).trimEnd()}…`;
}
