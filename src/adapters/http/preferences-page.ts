import type { Topic } from '../../core/topic.js';
import { FORM_CSS } from './signup-page.js';
import { escape, page } from './unsubscribe-page.js';

/**
 * The sign-up form's look; a checkbox keeps its size beside a label of two lines; a second, lighter button for
 * leaving everything (#06c on white: 5.6:1).
 */
const PREFERENCES_CSS = `${FORM_CSS}.scelta input{flex:none}.secondario{background:#fff;color:#06c}h2{font-size:1.2rem;margin-top:2rem}`;

/** What the preference page shows: the catalogue, ticked where the citizen follows it, and the link's topic. */
export interface PreferencesPage {
  readonly city: string;
  readonly topics: readonly Topic[];
  /** The topics followed now: none for a citizen who left everything. */
  readonly following: readonly string[];
  readonly isUnsubscribed: boolean;
  /** The label of the topic the e-mail's link was made for, if any. */
  readonly linkTopic?: string;
}

/**
 * The page an e-mail's link opens (GET /u/TOKEN): the topics as checkboxes in one fieldset, "Salva le preferenze",
 * and a separate form to leave everything (not shown to a citizen who left already). It shows no contact of the citizen: the link is all it needs.
 */
export function preferencesPage(p: PreferencesPage): string {
  const following = new Set(p.isUnsubscribed ? [] : p.following);
  const boxes = p.topics
    .map((t) => {
      const id = `p-argomento-${escape(t.id)}`;
      const description = t.description === undefined ? '' : ` <span class="aiuto">— ${escape(t.description)}</span>`;
      return `<div class="scelta"><input type="checkbox" id="${id}" name="topic" value="${escape(t.id)}"${following.has(t.id) ? ' checked' : ''}><label for="${id}">${escape(t.label)}${description}</label></div>`;
    })
    .join('\n');
  const link =
    p.linkTopic === undefined || p.isUnsubscribed ? '' : `<p>Questo link è arrivato con un messaggio su «${escape(p.linkTopic)}»: per non riceverne più, togli la spunta e salva.</p>\n`;
  const status = p.isUnsubscribed
    ? '<p>Al momento non ricevi nessun messaggio. Scegli uno o più argomenti e salva per iscriverti di nuovo.</p>\n'
    : '';
  const leave = p.isUnsubscribed
    ? ''
    : `\n<h2>Non vuoi più ricevere nulla?</h2>
<form method="post">
<button type="submit" name="action" value="leave" class="secondario">Annulla l’iscrizione a tutto</button>
</form>`;
  return page(
    p.city,
    'Le tue preferenze',
    `<p>Scegli gli argomenti su cui vuoi ricevere i messaggi di ${escape(p.city)}.</p>
${link}${status}<form method="post">
<fieldset><legend>Argomenti che vuoi ricevere</legend>
${boxes}
</fieldset>
<button type="submit" name="action" value="save">Salva le preferenze</button>
</form>${leave}`,
    PREFERENCES_CSS,
  );
}

/** The answer to a saved choice: what the citizen follows from now on. */
export function savedPage(city: string, labels: readonly string[]): string {
  return page(
    city,
    'Preferenze salvate',
    `<div role="status"><p>Fatto: da ora riceverai da ${escape(city)} i messaggi su:</p>
<ul>
${labels.map((l) => `<li>${escape(l)}</li>`).join('\n')}
</ul></div>
<p>Puoi cambiarle quando vuoi dal link «Annulla l’iscrizione» in fondo a ogni e-mail.</p>`,
  );
}
