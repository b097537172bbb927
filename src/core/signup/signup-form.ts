import { toEmail, type Email } from '../email.js';
import { isMobile, toE164, type E164 } from '../phone.js';
import type { Channel } from '../subscriber.js';
import type { Topic, TopicId } from '../topic.js';

/** The sign-up page's fields, by their names in the form. */
export const FORM_FIELDS = ['nome', 'telefono', 'email', 'argomenti', 'canale', 'consenso'] as const;
export type FormField = (typeof FORM_FIELDS)[number];

/** What the citizen typed, as posted (every value a text; the topics as many values). */
export interface SignupInput {
  readonly nome: string;
  readonly telefono: string;
  readonly email: string;
  readonly argomenti: readonly string[];
  readonly canale: string;
  readonly consenso: string;
}

/** A sign-up the page accepts: what the pending sign-up will hold. */
export interface SignupRequest {
  readonly name?: string;
  readonly phone?: E164;
  readonly email?: Email;
  readonly topics: readonly TopicId[];
  readonly channel: Channel;
}

export type SignupErrors = Partial<Record<FormField, string>>;

const MAX_NAME = 100;
// control characters and the bidirectional overrides that can disguise a name in a list
const UNPRINTABLE = /[\p{Cc}\p{Cf}]/u;

/**
 * Checks a sign-up as the CLI checks a subscriber (the same phone and e-mail rules, a topic from the catalogue), with
 * what a form needs more: a mobile number for WhatsApp, the contact the chosen channel needs, the consent ticked.
 * Every problem is said in Italian next to its field; nothing is accepted with a problem.
 */
export function checkSignup(input: SignupInput, catalogue: readonly Topic[], country: string): { readonly request: SignupRequest } | { readonly errors: SignupErrors } {
  const errors: SignupErrors = {};
  const name = input.nome.trim().replace(/\s+/g, ' ');
  if (name.length > MAX_NAME) errors.nome = `Il nome può avere al massimo ${MAX_NAME} caratteri.`;
  else if (UNPRINTABLE.test(name)) errors.nome = 'Il nome contiene caratteri non ammessi.';
  const channel = input.canale === 'whatsapp' || input.canale === 'email' ? input.canale : undefined;
  if (channel === undefined) errors.canale = 'Scegli come vuoi ricevere i messaggi: WhatsApp o e-mail.';
  let phone: E164 | undefined;
  if (input.telefono.trim() !== '') {
    phone = toE164(input.telefono, country);
    if (phone === undefined) errors.telefono = 'Questo numero non è valido: scrivilo come 333 123 4567 o +39 333 123 4567.';
    else if (channel === 'whatsapp' && !isMobile(phone)) errors.telefono = 'Per WhatsApp serve un numero di cellulare: questo non lo è.';
  } else if (channel === 'whatsapp') errors.telefono = 'Per ricevere i messaggi su WhatsApp scrivi il tuo numero di cellulare.';
  let email: Email | undefined;
  if (input.email.trim() !== '') {
    email = toEmail(input.email);
    if (email === undefined) errors.email = 'Questo indirizzo e-mail non è valido: scrivilo come nome@example.it.';
  } else if (channel === 'email') errors.email = 'Per ricevere i messaggi per e-mail scrivi il tuo indirizzo.';
  const byId = new Map(catalogue.map((t) => [t.id as string, t.id]));
  const topics = [...new Set(input.argomenti)].map((a) => byId.get(a));
  if (input.argomenti.length === 0) errors.argomenti = 'Scegli almeno un argomento.';
  else if (topics.includes(undefined)) errors.argomenti = 'Uno degli argomenti scelti non esiste più: scegli tra quelli elencati.';
  if (input.consenso !== 'si') errors.consenso = 'Per iscriverti devi dare il consenso al trattamento dei dati.';
  if (Object.keys(errors).length > 0 || channel === undefined) return { errors };
  return {
    request: {
      ...(name === '' ? {} : { name }),
      ...(phone === undefined ? {} : { phone }),
      ...(email === undefined ? {} : { email }),
      topics: topics.filter((t): t is TopicId => t !== undefined),
      channel,
    },
  };
}

/** The form's values as posted, read from the body (a value given twice: the first; the topics: all). */
export function signupInput(form: URLSearchParams): SignupInput {
  const one = (name: string) => (form.get(name) ?? '').slice(0, 1000);
  return { nome: one('nome'), telefono: one('telefono'), email: one('email'), argomenti: form.getAll('argomenti').slice(0, 100), canale: one('canale'), consenso: one('consenso') };
}
