import { collect, readPhone, readText, readUserId, type BadRequest } from './scenario-requests.js';
import type { InteractiveReply } from './status-webhooks.js';

type Body = Record<string, unknown>;

/** Who a made-up webhook is from: a number's digits ('' for a username citizen) and/or their user id. */
export interface Sender {
  readonly from: string;
  readonly userId?: string;
}

/** `from` (a phone number) and/or `userId`: at least one, each of its form. */
function readSender(b: Body, country: string): Sender | BadRequest {
  if (b.from === undefined && b.userId === undefined) return { problem: 'give "from" (a phone number such as "+39 333 123 4567") or "userId" (a user id such as US.13491208655302741918)' };
  const from = b.from === undefined ? '' : readPhone(b.from, 'from', country);
  const userId = b.userId === undefined ? undefined : readUserId(b.userId, 'userId');
  return collect<{ from: string; userId?: string }>({ from, userId });
}

/** What a citizen wrote, before the sandbox gives it a wamid and a time. */
export interface InboundRequest extends Sender {
  readonly username?: string;
  readonly name?: string;
  readonly text?: string;
  readonly button?: string;
  readonly reply?: InteractiveReply;
  readonly context?: string;
}

function readReply(value: unknown, type: InteractiveReply['type']): InteractiveReply | BadRequest {
  const field = type === 'button_reply' ? 'buttonReply' : 'listReply';
  const r = (typeof value === 'object' && value !== null ? value : {}) as Body;
  const example = type === 'button_reply' ? '{"id":"stop-cantieri","title":"Non più"}' : '{"id":"cantieri","title":"Cantieri","description":"Lavori stradali"}';
  const id = readText(r.id, `${field}.id`, true);
  const title = readText(r.title, `${field}.title`, true);
  const description = type === 'list_reply' ? readText(r.description, `${field}.description`) : undefined;
  const read = collect<{ id: string; title: string; description?: string }>({ id, title, description });
  return 'problem' in read ? { problem: `${read.problem}, as in "${field}":${example}` } : { type, ...read };
}

/**
 * `POST /sandbox/inbound`: exactly one of `text`, `button` (a quick-reply payload), `buttonReply` or `listReply`;
 * `name`, `username` and `context` (the wamid replied to) are optional.
 */
export function readInbound(body: unknown, country: string): InboundRequest | BadRequest {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Body;
  const sender = readSender(b, country);
  if ('problem' in sender) return sender;
  const given = ['text', 'button', 'buttonReply', 'listReply'].filter((k) => b[k] !== undefined);
  if (given.length !== 1) return { problem: 'give one of "text", "button" (a quick-reply payload), "buttonReply" {"id","title"} or "listReply" {"id","title","description"}' };
  return collect<InboundRequest>({
    ...sender,
    name: readText(b.name, 'name'),
    username: readText(b.username, 'username'),
    context: readText(b.context, 'context'),
    text: readText(b.text, 'text'),
    button: readText(b.button, 'button'),
    reply: b.buttonReply !== undefined ? readReply(b.buttonReply, 'button_reply') : b.listReply !== undefined ? readReply(b.listReply, 'list_reply') : undefined,
  });
}

/** A number change or a user-id change, before the sandbox gives it a wamid and a time. */
export type IdentityChangeRequest = { readonly name?: string } & (
  | { readonly kind: 'number'; readonly from: string; readonly to: string }
  | { readonly kind: 'user-id'; readonly userId: string; readonly newUserId: string }
);

/** `POST /sandbox/number-change`: `{"from","to"}` (numbers) or `{"userId","newUserId"}` (user ids), and an optional `name`. */
export function readIdentityChange(body: unknown, country: string): IdentityChangeRequest | BadRequest {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Body;
  const name = readText(b.name, 'name');
  if (b.from !== undefined || b.to !== undefined) {
    return collect<IdentityChangeRequest>({ kind: 'number', from: readPhone(b.from, 'from', country), to: readPhone(b.to, 'to', country), name });
  }
  if (b.userId !== undefined || b.newUserId !== undefined) {
    return collect<IdentityChangeRequest>({ kind: 'user-id', userId: readUserId(b.userId, 'userId'), newUserId: readUserId(b.newUserId, 'newUserId'), name });
  }
  return { problem: 'give {"from":"+39 old number","to":"+39 new number"} or {"userId":"US.old","newUserId":"US.new"}' };
}

/** `POST /sandbox/preferences`: `from` and/or `userId`, and `"preference":"stop"` or `"resume"`. */
export function readPreference(body: unknown, country: string): (Sender & { readonly preference: 'stop' | 'resume' }) | BadRequest {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Body;
  const sender = readSender(b, country);
  if ('problem' in sender) return sender;
  if (b.preference !== 'stop' && b.preference !== 'resume') return { problem: '"preference" is "stop" or "resume" (WhatsApp\'s marketing-messages switch)' };
  return { ...sender, preference: b.preference };
}
