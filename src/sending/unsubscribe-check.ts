import type { PlanSettings } from './plan-settings.js';

/** What the unsubscribe settings mean for a send: refused (with what to do), sent with a warning, or fine. */
export type UnsubscribeVerdict = { readonly refuse: string } | { readonly warn: string } | undefined;

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Subscribed mail must carry a one-click unsubscribe (RFC 8058) for Gmail and Yahoo to take it, and one-click needs
 * an https link. For `emailRecipients` reached through a transport that delivers (not the outbox): no link at all
 * (publicUrl or unsubscribeSecret unset) is refused unless `allowNoUnsubscribe`; an http publicUrl is refused, but
 * for a local one (127.0.0.1, localhost, ::1 — the sandbox), which is only warned about.
 */
export function unsubscribeVerdict(settings: Pick<PlanSettings, 'publicUrl' | 'unsubscribeSecret'>, emailRecipients: number, transport: string | undefined, allowNoUnsubscribe: boolean): UnsubscribeVerdict {
  if (emailRecipients === 0 || transport === undefined || transport === 'outbox') return undefined;
  const missing = [settings.publicUrl === undefined || settings.publicUrl === '' ? 'publicUrl' : undefined, settings.unsubscribeSecret === undefined || settings.unsubscribeSecret === '' ? 'unsubscribeSecret' : undefined].filter(
    (k): k is string => k !== undefined,
  );
  if (missing.length > 0) {
    if (allowNoUnsubscribe) return undefined;
    const set = missing.map((k) => (k === 'publicUrl' ? 'canale config set publicUrl https://…' : 'canale config set unsubscribeSecret "…"')).join('; ');
    return {
      refuse:
        `${emailRecipients} e-mail recipient(s) would get no unsubscribe link: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set, and Gmail and Yahoo require a one-click unsubscribe in subscribed mail — ` +
        `set ${missing.length > 1 ? 'them' : 'it'} (${set}, or ${missing.map((k) => (k === 'publicUrl' ? 'CANALE_PUBLIC_URL' : 'CANALE_UNSUBSCRIBE_SECRET')).join(' and ')}), or add --allow-no-unsubscribe to send without; nothing was sent`,
    };
  }
  let url: URL;
  try {
    url = new URL(settings.publicUrl ?? '');
  } catch {
    return { refuse: `publicUrl "${settings.publicUrl ?? ''}" is not a URL — set the https address of canale webhook serve: canale config set publicUrl https://…; nothing was sent` };
  }
  if (url.protocol === 'https:') return undefined;
  if (LOCAL_HOSTS.has(url.hostname)) {
    return { warn: `publicUrl ${url.origin} is local and not https: one-click unsubscribe works only in the sandbox — citizens' mail programs need an https address` };
  }
  return {
    refuse: `publicUrl ${url.origin} is not https: one-click unsubscribe (RFC 8058) needs an https link, and Gmail and Yahoo ignore any other — set the https address of canale webhook serve: canale config set publicUrl https://… (or CANALE_PUBLIC_URL); nothing was sent`,
  };
}
