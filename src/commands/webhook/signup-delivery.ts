import { escape } from '../../adapters/http/unsubscribe-page.js';
import type { SubscriberStore } from '../../core/ports.js';
import type { PendingSignup } from '../../core/signup/pending-signups.js';
import type { Transport } from '../../core/transport.js';
import { labelsOf } from '../../core/topic.js';
import { whatsappAddressOf } from '../../core/whatsapp-identity.js';

/** How the citizen is asked to confirm, as the page then says it. */
export type Delivery = { readonly kind: 'email-sent' } | { readonly kind: 'template-sent' } | { readonly kind: 'not-sent'; readonly code: string };

/** Where the confirmation goes out: the e-mail and WhatsApp transports of `webhook serve`, built when first needed. */
export interface SignupSenders {
  readonly email: () => Transport;
  readonly whatsapp: () => Transport;
}

/** The confirmation e-mail: what they asked for, the link (a page with one button: opening it confirms nothing), how long it works. */
export function confirmationEmail(city: string, labels: readonly string[], link: string, days: number): { subject: string; text: string; html: string } {
  const what = labels.map((l) => `«${l}»`).join(', ');
  const lines = [
    `Hai chiesto di ricevere gli avvisi di ${city} su: ${what}.`,
    '',
    `Per confermare apri questo link e premi «Confermo l’iscrizione» (vale ${days} giorni):`,
    link,
    '',
    'Se non sei stato tu, ignora questa e-mail: non riceverai nulla.',
  ];
  const html = `<!doctype html><html lang="it"><body style="font:16px/1.5 system-ui,sans-serif;color:#1a1a1a"><p>Hai chiesto di ricevere gli avvisi di ${escape(city)} su: ${escape(what)}.</p><p><a href="${escape(link)}" style="color:#0050a0">Conferma l’iscrizione</a> — il link vale ${days} giorni.</p><p>Se non sei stato tu, ignora questa e-mail: non riceverai nulla.</p></body></html>`;
  return { subject: `Conferma l’iscrizione agli avvisi di ${city}`, text: `${lines.join('\n')}\n`, html };
}

/**
 * Asks the citizen to confirm: the e-mail with its link, or the approved WhatsApp template with the code as its one
 * body parameter when the city set `signup.whatsappTemplate` (and it is synced and approved). Otherwise nothing is
 * sent: the page shows the code to write. A failed send is said to the caller (who lets the sign-up go).
 */
export async function askConfirmation(
  signup: PendingSignup,
  how: { readonly city: string; readonly confirmUrl?: string; readonly days: number; readonly template?: string },
  store: Pick<SubscriberStore, 'topics' | 'templates'>,
  senders: SignupSenders,
): Promise<Delivery | { readonly kind: 'failed'; readonly code: string }> {
  const signal = new AbortController().signal;
  if (signup.channel === 'email') {
    if (signup.email === undefined || how.confirmUrl === undefined) return { kind: 'failed', code: 'SIGNUP_NO_LINK' };
    const message = confirmationEmail(how.city, labelsOf(await store.topics(), signup.topics), how.confirmUrl, how.days);
    const result = await senders.email().send({ channel: 'email', to: signup.email, ...(signup.name === undefined ? {} : { toName: signup.name }), recipientKey: signup.id, ...message }, signal);
    return result.ok ? { kind: 'email-sent' } : { kind: 'failed', code: result.failure.code };
  }
  const template = how.template === undefined ? undefined : (await store.templates()).find((t) => t.name === how.template && t.status === 'APPROVED');
  const to = signup.phone === undefined ? undefined : whatsappAddressOf({ phone: signup.phone });
  if (template === undefined || to === undefined) return { kind: 'not-sent', code: signup.code };
  const name = template.parameters[0] ?? '1';
  const parameters = template.parameterFormat === 'named' ? { format: 'named' as const, values: { [name]: signup.code } } : { format: 'positional' as const, values: [signup.code] };
  const result = await senders.whatsapp().send({ channel: 'whatsapp', to, recipientKey: signup.id, content: { kind: 'template', name: template.name, language: template.language, parameters } }, signal);
  return result.ok ? { kind: 'template-sent' } : { kind: 'not-sent', code: signup.code };
}
