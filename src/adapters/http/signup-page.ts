import type { FormField, SignupErrors, SignupInput } from '../../core/signup/signup-form.js';
import type { Topic } from '../../core/topic.js';
import { escape, page } from './unsubscribe-page.js';

/** The form's look: visible focus (dark, 3:1 on white and on blue), errors in a red of 7:1, the honeypot off screen. */
export const FORM_CSS =
  'input,select{font:inherit}input[type=text],input[type=tel],input[type=email]{display:block;width:100%;box-sizing:border-box;padding:.5rem;border:2px solid #555;border-radius:.3rem}' +
  'input:focus,button:focus,a:focus{outline:3px solid #1a1a1a;outline-offset:2px}.campo{margin:1.2rem 0}.campo label{margin:.2rem 0}' +
  'fieldset{border:1px solid #767676;border-radius:.3rem;margin:1.2rem 0;padding:.5rem 1rem}legend{font-weight:600;padding:0 .3rem}' +
  '.scelta{display:flex;gap:.6rem;align-items:flex-start;margin:.6rem 0}.scelta input{flex:none;margin-top:.35rem;width:1.2rem;height:1.2rem}.scelta label{margin:0}' +
  '.aiuto{color:#444;margin:.2rem 0;font-size:1rem}.errore{color:#b00020;font-weight:600;margin:.2rem 0}[aria-invalid=true]{border-color:#b00020!important}' +
  '.riepilogo{border:3px solid #b00020;padding:.5rem 1rem;margin:1rem 0}.riepilogo a{color:#b00020}.fuori{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}a{color:#0050a0}';

/** What the form page shows: the catalogue, the notice, the values typed so far and their problems. */
export interface FormPage {
  readonly city: string;
  readonly topics: readonly Topic[];
  readonly noticeUrl: string;
  readonly token: string;
  readonly input?: SignupInput;
  readonly errors?: SignupErrors;
  /** A topic to tick when the page opens (`?argomento=cantieri`). */
  readonly topic?: string;
  /** Something to say above the form (a form kept open too long). */
  readonly notice?: string;
}

const ORDER: readonly FormField[] = ['nome', 'canale', 'telefono', 'email', 'argomenti', 'consenso'];

function errorOf(errors: SignupErrors, field: FormField): string {
  const text = errors[field];
  return text === undefined ? '' : `<p class="errore" id="e-${field}"><span class="fuori">Errore: </span>${escape(text)}</p>`;
}

/** `aria-describedby` and `aria-invalid` of a field: its help, then its error. */
function described(errors: SignupErrors, field: FormField, help?: string): string {
  const ids = [help, errors[field] === undefined ? undefined : `e-${field}`].filter((id) => id !== undefined);
  return `${ids.length === 0 ? '' : ` aria-describedby="${ids.join(' ')}"`}${errors[field] === undefined ? '' : ' aria-invalid="true"'}`;
}

function textField(field: 'nome' | 'telefono' | 'email', label: string, attributes: string, value: string, errors: SignupErrors, help?: string): string {
  const helpText = help === undefined ? '' : `<p class="aiuto" id="h-${field}">${escape(help)}</p>`;
  return `<div class="campo"><label for="f-${field}">${escape(label)}</label>${helpText}${errorOf(errors, field)}<input id="f-${field}" name="${field}" ${attributes} value="${escape(value)}"${described(errors, field, help === undefined ? undefined : `h-${field}`)}></div>`;
}

/** The sign-up form (GET /iscriviti), again with the citizen's values and each problem next to its field. */
export function formPage(p: FormPage): string {
  const errors = p.errors ?? {};
  const input = p.input;
  const wrong = ORDER.filter((f) => errors[f] !== undefined);
  const summary =
    wrong.length === 0
      ? ''
      : `<div class="riepilogo" role="alert" aria-labelledby="riepilogo-titolo"><h2 id="riepilogo-titolo">${wrong.length === 1 ? 'C’è un problema' : `Ci sono ${wrong.length} problemi`}</h2><ul>${wrong
          .map((f) => `<li><a href="#f-${f === 'canale' ? 'canale-whatsapp' : f === 'argomenti' ? `argomento-${p.topics[0]?.id ?? ''}` : f}">${escape(errors[f] ?? '')}</a></li>`)
          .join('')}</ul></div>`;
  const channel = input?.canale ?? '';
  const ticked = new Set(input?.argomenti ?? (p.topic === undefined ? [] : [p.topic]));
  const radio = (value: 'whatsapp' | 'email', label: string) =>
    `<div class="scelta"><input type="radio" id="f-canale-${value}" name="canale" value="${value}"${channel === value ? ' checked' : ''}${described(errors, 'canale')}><label for="f-canale-${value}">${label}</label></div>`;
  const topicBoxes = p.topics
    .map((t) => {
      const id = `f-argomento-${escape(t.id)}`;
      const description = t.description === undefined ? '' : ` <span class="aiuto">— ${escape(t.description)}</span>`;
      return `<div class="scelta"><input type="checkbox" id="${id}" name="argomenti" value="${escape(t.id)}"${ticked.has(t.id) ? ' checked' : ''}${described(errors, 'argomenti')}><label for="${id}">${escape(t.label)}${description}</label></div>`;
    })
    .join('\n');
  return page(
    p.city,
    wrong.length === 0 ? 'Iscriviti agli avvisi' : 'Errore: iscriviti agli avvisi',
    `<p>Ricevi gli avvisi di ${escape(p.city)} sugli argomenti che scegli, su WhatsApp o per e-mail. Ti chiederemo di confermare: finché non confermi non riceverai nulla.</p>
${p.notice === undefined ? '' : `<p class="riepilogo" role="alert">${escape(p.notice)}</p>`}${summary}
<form method="post" action="/iscriviti" novalidate>
<input type="hidden" name="token" value="${escape(p.token)}">
${textField('nome', 'Nome e cognome (facoltativo)', 'type="text" autocomplete="name" maxlength="100"', input?.nome ?? '', errors)}
<fieldset><legend>Come vuoi ricevere i messaggi?</legend>${errorOf(errors, 'canale')}
${radio('whatsapp', 'WhatsApp')}
${radio('email', 'E-mail')}
</fieldset>
${textField('telefono', 'Numero di cellulare', 'type="tel" autocomplete="tel" inputmode="tel"', input?.telefono ?? '', errors, 'Serve per WhatsApp. Esempio: 333 123 4567')}
${textField('email', 'Indirizzo e-mail', 'type="email" autocomplete="email" spellcheck="false"', input?.email ?? '', errors, 'Serve per l’e-mail. Esempio: nome@example.it')}
<fieldset><legend>Argomenti</legend>${errorOf(errors, 'argomenti')}
${topicBoxes}
</fieldset>
<div class="campo">${errorOf(errors, 'consenso')}<div class="scelta"><input type="checkbox" id="f-consenso" name="consenso" value="si"${input?.consenso === 'si' ? ' checked' : ''}${described(errors, 'consenso')}><label for="f-consenso">Ho letto l’<a href="${escape(p.noticeUrl)}">informativa sul trattamento dei dati personali</a> e acconsento a ricevere gli avvisi scelti.</label></div></div>
<div class="fuori" aria-hidden="true"><label for="f-sito">Lascia vuoto questo campo</label><input id="f-sito" name="sito_web" type="text" tabindex="-1" autocomplete="off"></div>
<button type="submit">Iscriviti</button>
</form>`,
    FORM_CSS,
  );
}

/** After a sign-up by e-mail: where the link went, and for how long it works. */
export function checkEmailPage(city: string, email: string, days: number): string {
  return page(city, 'Controlla la tua e-mail', `<p role="status">Ti abbiamo inviato un’e-mail a <strong>${escape(email)}</strong> con un link per confermare l’iscrizione. Il link vale ${days} giorni; finché non confermi non riceverai nulla.</p><p>Non la trovi? Guarda nella cartella della posta indesiderata.</p>`, FORM_CSS);
}

/** After a sign-up on WhatsApp: the code to send, as a click-to-chat link when the city's number is known, or the template's note. */
export function whatsappCodePage(city: string, code: string, how: { readonly link?: string; readonly templateSent?: boolean }, days = 7): string {
  const send = how.templateSent === true
    ? `<p>Ti abbiamo inviato un messaggio su WhatsApp. Per confermare rispondi <strong>CONFERMA ${escape(code)}</strong>.</p>`
    : how.link === undefined
      ? `<p>Per confermare scrivi <strong>CONFERMA ${escape(code)}</strong> su WhatsApp al numero del Comune.</p>`
      : `<p>Per confermare invia su WhatsApp il messaggio <strong>CONFERMA ${escape(code)}</strong>:</p><p><a href="${escape(how.link)}">Apri WhatsApp e invia CONFERMA ${escape(code)}</a></p>`;
  return page(city, 'Conferma su WhatsApp', `<div role="status">${send}</div><p>Il codice vale ${days} giorni; finché non confermi non riceverai nulla.</p>`, FORM_CSS);
}

/** GET of the e-mail's confirmation link: one button, so a mail scanner opening the link confirms nothing. */
export function confirmSignupPage(city: string, topics: readonly string[]): string {
  return page(city, 'Conferma l’iscrizione', `<p>Confermi di voler ricevere da ${escape(city)} gli avvisi su: ${topics.map((t) => `«${escape(t)}»`).join(', ')}?</p>
<form method="post"><button type="submit">Confermo l’iscrizione</button></form>`, FORM_CSS);
}

export function signupDonePage(city: string, topics: readonly string[]): string {
  return page(city, 'Iscrizione confermata', `<p role="status">Fatto: riceverai gli avvisi di ${escape(city)} su: ${topics.map((t) => `«${escape(t)}»`).join(', ')}. Ogni messaggio ha un link per cambiare argomenti o annullare l’iscrizione.</p>`, FORM_CSS);
}

/** A refusal the citizen can act on: what happened and what to do. */
export function signupRefusedPage(city: string, title: string, text: string): string {
  return page(city, title, `<p role="alert">${escape(text)}</p><p><a href="/iscriviti">Torna al modulo di iscrizione</a></p>`, FORM_CSS);
}
