import type { GraphErrorAnswer } from './graph-checks.js';

type Json = Record<string, unknown>;

/**
 * Meta's limits on an interactive message, as its OpenAPI description (business-messaging-api v23.0:
 * InteractiveObject, ActionObject, SectionObject) and its list-message guide (10 rows over all sections) give them.
 * Written here again, not imported from canale's own table: the stand-in checks canale, it does not trust it.
 * Lengths are UTF-16 code units, never fewer than Meta's characters: the stand-in is at least as strict.
 */
const LIMITS = { body: 1024, header: 60, footer: 60, button: 20, sections: 10, rows: 10, sectionTitle: 24, rowId: 200, rowTitle: 24, rowDescription: 72, buttons: 3, buttonId: 256, buttonTitle: 20 };

const missing = (details: string): GraphErrorAnswer => ({ http: 400, code: 131008, message: '(#131008) Required parameter is missing', details });
const invalid = (details: string): GraphErrorAnswer => ({ http: 400, code: 131009, message: '(#131009) Parameter value is not valid', details });
const asObject = (value: unknown): Json | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined);

/** A text field: required or not, a string, not empty, within its length. */
function checkText(value: unknown, field: string, max: number, required: boolean): GraphErrorAnswer | undefined {
  if (value === undefined) return required ? missing(`${field} is required`) : undefined;
  if (typeof value !== 'string' || value.trim() === '') return invalid(`${field} must be a non-empty string`);
  return value.length > max ? invalid(`${field} is ${value.length} characters long; at most ${max} are allowed`) : undefined;
}

function checkFrame(interactive: Json): GraphErrorAnswer | undefined {
  const body = asObject(interactive.body);
  if (body === undefined) return missing('interactive.body is required');
  const header = asObject(interactive.header);
  if (interactive.header !== undefined && (header === undefined || header.type !== 'text')) return invalid('interactive.header: the sandbox takes a text header only');
  return (
    checkText(body.text, 'interactive.body.text', LIMITS.body, true) ??
    (header === undefined ? undefined : checkText(header.text, 'interactive.header.text', LIMITS.header, true)) ??
    (interactive.footer === undefined ? undefined : checkText(asObject(interactive.footer)?.text, 'interactive.footer.text', LIMITS.footer, true))
  );
}

function checkRows(rows: unknown, k: number, ids: Set<string>): GraphErrorAnswer | undefined {
  const where = `interactive.action.sections[${k}].rows`;
  if (!Array.isArray(rows) || rows.length === 0) return missing(`${where} must hold at least one row`);
  for (const [r, raw] of rows.entries()) {
    const row = asObject(raw) ?? {};
    const problem =
      checkText(row.id, `${where}[${r}].id`, LIMITS.rowId, true) ??
      checkText(row.title, `${where}[${r}].title`, LIMITS.rowTitle, true) ??
      checkText(row.description, `${where}[${r}].description`, LIMITS.rowDescription, false);
    if (problem !== undefined) return problem;
    if (ids.has(row.id as string)) return invalid(`${where}[${r}].id "${String(row.id)}" is not unique: row ids must be unique`);
    ids.add(row.id as string);
  }
  return undefined;
}

function checkList(action: Json): GraphErrorAnswer | undefined {
  const button = checkText(action.button, 'interactive.action.button', LIMITS.button, true);
  if (button !== undefined) return button;
  const sections = action.sections;
  if (!Array.isArray(sections) || sections.length === 0) return missing('interactive.action.sections is required (1 to 10 sections)');
  if (sections.length > LIMITS.sections) return invalid(`interactive.action.sections has ${sections.length} sections; at most ${LIMITS.sections} are allowed`);
  const ids = new Set<string>();
  let rows = 0;
  for (const [k, raw] of sections.entries()) {
    const section = asObject(raw) ?? {};
    const title = checkText(section.title, `interactive.action.sections[${k}].title`, LIMITS.sectionTitle, sections.length > 1);
    const problem = title ?? checkRows(section.rows, k, ids);
    if (problem !== undefined) return problem;
    rows += (section.rows as unknown[]).length;
  }
  return rows > LIMITS.rows ? invalid(`the list has ${rows} rows; at most ${LIMITS.rows} are allowed over all sections`) : undefined;
}

function checkButtons(action: Json): GraphErrorAnswer | undefined {
  const buttons = action.buttons;
  if (!Array.isArray(buttons) || buttons.length === 0) return missing('interactive.action.buttons is required (1 to 3 reply buttons)');
  if (buttons.length > LIMITS.buttons) return invalid(`interactive.action.buttons has ${buttons.length} buttons; at most ${LIMITS.buttons} are allowed`);
  const ids = new Set<string>();
  const titles = new Set<string>();
  for (const [b, raw] of buttons.entries()) {
    const button = asObject(raw) ?? {};
    const where = `interactive.action.buttons[${b}]`;
    if (button.type !== 'reply') return invalid(`${where}.type must be "reply"`);
    const reply = asObject(button.reply);
    if (reply === undefined) return missing(`${where}.reply is required`);
    const problem = checkText(reply.id, `${where}.reply.id`, LIMITS.buttonId, true) ?? checkText(reply.title, `${where}.reply.title`, LIMITS.buttonTitle, true);
    if (problem !== undefined) return problem;
    const id = reply.id as string;
    if (id !== id.trim()) return invalid(`${where}.reply.id must not start or end with spaces`);
    if (ids.has(id) || titles.has(reply.title as string)) return invalid(`${where}: button ids and titles must be unique`);
    ids.add(id);
    titles.add(reply.title as string);
  }
  return undefined;
}

/** Checks an `interactive` object of type `list` or `button` like the messages endpoint; returns its type, or the error. */
export function checkInteractive(value: unknown): GraphErrorAnswer | 'list' | 'button' {
  const interactive = asObject(value);
  if (interactive === undefined) return missing('interactive is required for a message of type interactive');
  const type = interactive.type;
  if (type === undefined) return missing('interactive.type is required');
  if (type !== 'list' && type !== 'button') {
    return { http: 400, code: 131051, message: '(#131051) Unsupported message type', details: `interactive type ${String(type)} is not supported by the sandbox` };
  }
  const action = asObject(interactive.action);
  if (action === undefined) return missing('interactive.action is required');
  const problem = checkFrame(interactive) ?? (type === 'list' ? checkList(action) : checkButtons(action));
  return problem ?? type;
}
