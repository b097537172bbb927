import { randomBytes, randomInt } from 'node:crypto';
import { readToken, signToken } from '../../adapters/http/page-tokens.js';
import type { RateLimiter } from '../../adapters/http/rate-limit.js';
import { checkEmailPage, confirmSignupPage, formPage, signupDonePage, signupRefusedPage, whatsappCodePage } from '../../adapters/http/signup-page.js';
import type { PageAnswer, PageRequest, SignupRoute } from '../../adapters/http/webhook-server.js';
import type { Clock, IdSource, SignupStore, SubscriberStore } from '../../core/ports.js';
import type { Settings } from '../../core/settings.js';
import { clickToChatUrl } from '../../core/signup/click-to-chat.js';
import { labelsOf } from '../../core/topic.js';
import { addPending, claimToken, erasePending, pendingById, pendingOf, type PendingSignup } from '../../core/signup/pending-signups.js';
import { checkSignup, signupInput } from '../../core/signup/signup-form.js';
import { askConfirmation, type SignupSenders } from './signup-delivery.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** A form is good for two hours after it was shown. */
const FORM_MS = 2 * HOUR_MS;
/** A second sign-up of the same number or e-mail within this time sends nothing new: no one can mail-bomb a citizen. */
const RESEND_MS = 10 * 60_000;

export interface WebSignupDeps {
  readonly store: Pick<SubscriberStore, 'topics' | 'templates'>;
  readonly signups: SignupStore;
  /** config.json read again at each request: `canale config set privacy.noticeUrl …` applies at once. */
  readonly settings: () => Promise<Settings>;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** Posts per address (the form and the confirmation page). */
  readonly limiter: RateLimiter;
  readonly senders: SignupSenders;
  /** Appends the confirmation to the event log (and resolves once it is on disk); the applier applies it. */
  readonly recordConfirmation: (at: string, signupId: string) => Promise<void>;
}

/** What the page needs from the settings; undefined when the page is off (no notice, no secret or no public URL). */
function pageSettings(s: Settings) {
  const noticeUrl = s.get('privacy.noticeUrl');
  const secret = s.get('unsubscribeSecret');
  const publicUrl = s.get('publicUrl');
  if (noticeUrl === undefined || secret === undefined || publicUrl === undefined) return undefined;
  return { noticeUrl, secret, publicUrl, city: s.get('city.name'), country: s.get('country'), notice: s.get('privacy.noticeVersion'), days: s.get('signup.pendingDays'), template: s.get('signup.whatsappTemplate'), number: s.get('whatsapp.number') };
}
type PageSettings = NonNullable<ReturnType<typeof pageSettings>>;

const html = (status: number, body: string, summary: string, headers?: Record<string, string>): PageAnswer => ({ status, html: body, summary, ...(headers === undefined ? {} : { headers }) });

/**
 * `GET|POST /iscriviti` and `GET|POST /iscriviti/conferma/TOKEN` (DESIGN §2): the sign-up form and its e-mail
 * confirmation. A post is taken only from this site (Origin / Sec-Fetch-Site), within the address's rate, with a form
 * token signed here, unexpired and never used before, an empty honeypot and every field valid — anything else is
 * refused with a page saying what to do, and nothing is stored. A sign-up is pending until confirmed.
 */
export function webSignup(deps: WebSignupDeps): (route: SignupRoute, request: PageRequest) => Promise<PageAnswer> {
  const now = () => deps.clock.now();
  const formToken = (p: PageSettings) => signToken(p.secret, 'signup-form', randomBytes(16).toString('base64url'), now().getTime() + FORM_MS);

  const refusal = (request: PageRequest, p: PageSettings): PageAnswer | undefined => {
    if (request.method !== 'POST') return undefined;
    if (!deps.limiter.take(request.client)) {
      return html(429, signupRefusedPage(p.city, 'Troppi tentativi', 'Da questo indirizzo sono arrivate troppe richieste. Riprova tra qualche minuto.'), 'rate limited', { 'retry-after': String(deps.limiter.retryAfter(request.client)) });
    }
    const site = new URL(p.publicUrl).origin;
    // `Origin: null` (a privacy-minded browser, a no-referrer page) is ours only when Sec-Fetch-Site says so
    const otherSite = request.fetchSite !== undefined && request.fetchSite !== 'same-origin' && request.fetchSite !== 'none';
    const otherOrigin = request.origin === 'null' ? request.fetchSite !== 'same-origin' : request.origin !== undefined && request.origin !== site;
    const foreign = otherSite || otherOrigin;
    return foreign ? html(403, signupRefusedPage(p.city, 'Richiesta non accettata', 'Il modulo va inviato dalla pagina di iscrizione del Comune.'), 'other origin') : undefined;
  };

  const form = async (request: PageRequest, p: PageSettings): Promise<PageAnswer> => {
    const topics = await deps.store.topics();
    if (request.method === 'GET') {
      const asked = request.query.get('argomento') ?? undefined;
      const topic = topics.find((t) => t.id === asked)?.id;
      return html(200, formPage({ city: p.city, topics, noticeUrl: p.noticeUrl, token: formToken(p), ...(topic === undefined ? {} : { topic }) }), 'form');
    }
    const token = readToken(p.secret, 'signup-form', request.form.get('token') ?? '', now().getTime());
    if (token === undefined) return html(403, signupRefusedPage(p.city, 'Modulo non valido', 'Questo modulo non viene dalla pagina di iscrizione del Comune. Apri la pagina e compilalo di nuovo.'), 'token refused');
    const input = signupInput(request.form);
    if (token === 'expired') {
      return html(400, formPage({ city: p.city, topics, noticeUrl: p.noticeUrl, token: formToken(p), input, notice: 'Il modulo è rimasto aperto troppo a lungo: controlla i dati e invialo di nuovo.' }), 'token expired');
    }
    if ((request.form.get('sito_web') ?? '') !== '') return html(400, signupRefusedPage(p.city, 'Richiesta non accettata', 'La richiesta non sembra inviata da una persona. Se lo sei, riapri la pagina e compila il modulo.'), 'honeypot');
    const checked = checkSignup(input, topics, p.country);
    if ('errors' in checked) return html(400, formPage({ city: p.city, topics, noticeUrl: p.noticeUrl, token: formToken(p), input, errors: checked.errors }), 'invalid');
    const at = now();
    const signup: PendingSignup = { id: deps.ids.next('sig_'), at: at.toISOString(), expiresAt: new Date(at.getTime() + p.days * DAY_MS).toISOString(), ...checked.request, code: String(randomInt(1000, 10_000)), notice: p.notice };
    const kept = await deps.signups.update<PendingSignup | 'replayed'>((book) => {
      const claimed = claimToken(book, token.value, new Date(token.expiresMs).toISOString(), signup.at);
      if (!claimed.result) return { book: claimed.book, result: 'replayed' };
      const earlier = pendingOf(claimed.book, signup, signup.at);
      if (earlier !== undefined && Date.parse(earlier.at) > at.getTime() - RESEND_MS) return { book: claimed.book, result: earlier };
      return { book: addPending(claimed.book, signup).book, result: signup };
    });
    if (kept === 'replayed') return html(403, signupRefusedPage(p.city, 'Modulo già inviato', 'Questo modulo è già stato inviato. Se vuoi iscriverti di nuovo, riapri la pagina.'), 'token replayed');
    if (kept !== signup) return html(200, askedPage(p, kept), 'sent recently: nothing sent again');
    const confirmUrl = `${p.publicUrl}/iscriviti/conferma/${signToken(p.secret, 'signup-confirm', signup.id, Date.parse(signup.expiresAt))}`;
    const delivery = await askConfirmation(signup, { city: p.city, confirmUrl, days: p.days, ...(p.template === undefined ? {} : { template: p.template }) }, deps.store, deps.senders);
    if (delivery.kind === 'failed') {
      await deps.signups.update((book) => erasePending(book, signup));
      return html(502, signupRefusedPage(p.city, 'Invio non riuscito', 'Non siamo riusciti a inviarti il messaggio di conferma. Riprova più tardi.'), `confirmation not sent: ${delivery.code}`);
    }
    return html(200, askedPage(p, signup, delivery.kind === 'template-sent'), `pending ${signup.channel}`);
  };

  const askedPage = (p: PageSettings, signup: PendingSignup, templateSent = false): string =>
    signup.channel === 'email'
      ? checkEmailPage(p.city, signup.email ?? '', p.days)
      : whatsappCodePage(p.city, signup.code, templateSent ? { templateSent } : p.number === undefined ? {} : { link: clickToChatUrl(p.number, `CONFERMA ${signup.code}`) }, p.days);

  const confirm = async (token: string, request: PageRequest, p: PageSettings): Promise<PageAnswer> => {
    const read = readToken(p.secret, 'signup-confirm', token, now().getTime());
    if (read === undefined) return html(403, signupRefusedPage(p.city, 'Link non valido', 'Questo link di conferma non è valido. Copia il link intero dall’e-mail, oppure iscriviti di nuovo.'), 'token refused');
    const expired = () => html(410, signupRefusedPage(p.city, 'Link scaduto', 'Questa iscrizione è già stata confermata, oppure il link è scaduto. Se non ricevi gli avvisi, iscriviti di nuovo.'), 'expired or confirmed');
    if (read === 'expired') return expired();
    const signup = pendingById(await deps.signups.read(), read.value, now().toISOString());
    if (signup === undefined || signup.channel !== 'email') return expired();
    const topics = await deps.store.topics();
    const labels = labelsOf(topics, signup.topics);
    if (request.method === 'GET') return html(200, confirmSignupPage(p.city, labels), 'confirmation page');
    await deps.recordConfirmation(now().toISOString(), signup.id);
    return html(200, signupDonePage(p.city, labels), 'confirmed: recorded');
  };

  return async (route, request) => {
    const p = pageSettings(await deps.settings());
    if (p === undefined) return html(404, 'not found\n', 'sign-up page off');
    const refused = refusal(request, p);
    if (refused !== undefined) return refused;
    return route.page === 'form' ? form(request, p) : confirm(route.token, request, p);
  };
}
