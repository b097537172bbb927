import type { Subscriber } from '../subscriber.js';
import { blankNeedles, blankString } from './blank-string.js';
import { stringTokens, type StringToken } from './json-tokens.js';

/** Who is being erased, in the forms canale's files hold them. */
export interface ErasureTarget {
  /** Their phone (with and without +), e-mail and name, as the UTF-8 bytes of their JSON-escaped form. */
  readonly needles: readonly Uint8Array[];
  /** Their number as WhatsApp writes it (`wa_id`, `from`, `recipient_id`): digits, no +. */
  readonly waId?: string;
  /** Every number they had with canale (the current one first, then those a number change left behind), as digits. */
  readonly waIds?: readonly string[];
  /** Their business-scoped WhatsApp user ids, current and previous (`from_user_id`, `user_id`, `recipient_user_id`). */
  readonly userIds?: readonly string[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Shorter texts would blank ordinary words. */
const MIN_NEEDLE = 3;

const present = (texts: ReadonlyArray<string | undefined>): string[] => [...new Set(texts.filter((t): t is string => t !== undefined && t !== ''))];

/**
 * Who a subscriber is in canale's files: their contacts and name, and the WhatsApp identities they had — the user id,
 * and the numbers and user ids an identity change left in their consent history.
 */
export function erasureTarget(subscriber: Pick<Subscriber, 'phone' | 'email' | 'name' | 'whatsappUserId' | 'history'>): ErasureTarget {
  const waId = subscriber.phone?.replace(/^\+/, '');
  const history = subscriber.history ?? [];
  const phones = present([subscriber.phone, ...history.filter((e) => e.action === 'number-changed').map((e) => e.previous)]);
  const waIds = phones.map((p) => p.replace(/^\+/, ''));
  const userIds = present([subscriber.whatsappUserId, ...history.filter((e) => e.action === 'user-id-changed').map((e) => e.previous)]);
  const texts = [...phones, ...waIds, ...userIds, subscriber.email, subscriber.email?.toLowerCase(), subscriber.name];
  const unique = [...new Set(texts.filter((t): t is string => t !== undefined && t.length >= MIN_NEEDLE))];
  return {
    needles: unique.map((t) => encoder.encode(JSON.stringify(t).slice(1, -1))),
    ...(waId === undefined ? {} : { waId }),
    ...(waIds.length === 0 ? {} : { waIds }),
    ...(userIds.length === 0 ? {} : { userIds }),
  };
}

function parses(line: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(line)) as unknown;
  } catch {
    return undefined;
  }
}

const valueOf = (line: Uint8Array, token: StringToken): string => JSON.parse(decoder.decode(line.subarray(token.start, token.end))) as string;

/** Members of a person's own object (their message, a status of one to them) that say nothing about them. */
const STRUCTURAL = new Set(['type', 'status', 'timestamp', 'messaging_product', 'biz_opaque_callback_data', 'category', 'pricing_model', 'code', 'title', 'message', 'details', 'href', 'expiration_timestamp']);
/** The members that name the person an object is about: by number, or by business-scoped user id. */
const WHOSE_NUMBER = new Set(['wa_id', 'from', 'recipient_id']);
const WHOSE_USER_ID = new Set(['from_user_id', 'user_id', 'recipient_user_id', 'previous_user_id']);

function namesThem(key: string, value: string, target: ErasureTarget): boolean {
  if (WHOSE_NUMBER.has(key)) return value === target.waId || (target.waIds ?? []).includes(value);
  return WHOSE_USER_ID.has(key) && (target.userIds ?? []).includes(value);
}

/**
 * One line of `webhooks/events.jsonl` (a signed payload as Meta posted it), scrubbed where it lies: their contacts
 * wherever they appear, and in every object about them — their message, a status of a message to them, their
 * contact card — every string but the structural ones (the message ids, which Meta can tie to the number, their
 * words, their WhatsApp profile name). A line that is not JSON loses the contacts only. Returns whether it changed.
 */
export function scrubEventLine(line: Uint8Array, target: ErasureTarget): boolean {
  if (parses(line) === undefined) return blankNeedles(line, { start: -1, end: line.length + 1 }, target.needles);
  const tokens = stringTokens(line);
  const theirs = new Set<number>();
  for (let k = 0; k + 1 < tokens.length; k++) {
    const name = tokens[k] as StringToken;
    const value = tokens[k + 1] as StringToken;
    if (name.isKey && !value.isKey && namesThem(valueOf(line, name), valueOf(line, value), target)) {
      const owner = value.objects[value.objects.length - 1];
      if (owner !== undefined) theirs.add(owner);
    }
  }
  let changed = false;
  for (const token of tokens) {
    if (token.isKey) continue;
    const isTheirs = token.objects.some((id) => theirs.has(id));
    if (isTheirs && !STRUCTURAL.has(token.keys[token.keys.length - 1] ?? '')) changed = blankString(line, token) || changed;
    else changed = blankNeedles(line, token, target.needles) || changed;
  }
  return changed;
}

/** `{"i":123,` — how every journal line canale writes begins: the position, read without parsing the line. */
function positionOf(line: Uint8Array): number | undefined {
  const prefix = '{"i":';
  for (let k = 0; k < prefix.length; k++) if (line[k] !== prefix.charCodeAt(k)) return undefined;
  let value = 0;
  let k = prefix.length;
  for (; k < line.length && (line[k] as number) >= 0x30 && (line[k] as number) <= 0x39; k++) value = value * 10 + ((line[k] as number) - 0x30);
  return k > prefix.length && (line[k] === 0x2c || line[k] === 0x7d) ? value : undefined;
}

/** What of a forgotten recipient's journal record is about them: the provider's message id and its own words. */
const ABOUT_THEM = new Set(['id', 'detail']);

/**
 * One line of a campaign journal, scrubbed where it lies: the records of the positions the person had in the
 * frozen list lose the provider's message id and reply (the outcome, its code and canale's reason stay, so the
 * counts stay true); every record loses their contacts, which an SMTP reply may echo; a line torn by a crash or a
 * full disk (replay skips it) may hold part of their record and becomes blanks. `hasNeedle` says whether the line
 * holds one of the needles' bytes (the caller searched the file for them). Returns whether it changed.
 */
export function scrubJournalLine(line: Uint8Array, target: ErasureTarget, positions: ReadonlySet<number>, hasNeedle: boolean): boolean {
  const quick = positionOf(line);
  if (quick !== undefined && !positions.has(quick) && !hasNeedle) return false;
  const record = parses(line) as { i?: unknown } | undefined;
  if (record === undefined || typeof record !== 'object' || record === null) {
    if (quick !== undefined && !positions.has(quick)) return blankNeedles(line, { start: -1, end: line.length + 1 }, target.needles);
    const changed = line.some((b) => b !== 0x20);
    line.fill(0x20);
    return changed;
  }
  const isTheirs = typeof record.i === 'number' && positions.has(record.i);
  let changed = false;
  for (const token of stringTokens(line)) {
    if (token.isKey) continue;
    if (isTheirs && token.keys.length === 1 && ABOUT_THEM.has(token.keys[0] as string)) changed = blankString(line, token) || changed;
    else if (hasNeedle) changed = blankNeedles(line, token, target.needles) || changed;
  }
  return changed;
}

/**
 * A subscriber id overwritten as `forgotten…` wherever it is a string value of the line (the frozen list, the
 * opt-out feed; readRecipients reads any id that is not `sub_…` as forgotten). Returns whether it changed.
 */
export function scrubIdLine(line: Uint8Array, subscriberId: string): boolean {
  let changed = false;
  for (const token of stringTokens(line)) {
    if (!token.isKey && valueOf(line, token) === subscriberId) changed = blankString(line, token, { word: 'forgotten' }) || changed;
  }
  return changed;
}
