import { cutToLimit, INTERACTIVE_LIMITS as L } from '../interactive-limits.js';
import type { Topic, TopicId } from '../topic.js';
import type { ButtonsContent, ListContent, ListRow } from '../transport.js';

/** A followed topic's row title starts with it, within the row title's 24 characters. */
export const FOLLOWED_MARK = '✓ ';
/** The row (and button) that shows the next page, and the button that stops everything. */
export const MORE_TOPICS = 'Altri argomenti';
const STOP_ALL = 'Annulla tutto';

/** The privacy notice a citizen is shown before the tap that subscribes them: its version, and where to read it. */
export interface PrivacyNotice {
  readonly version: string;
  readonly url?: string;
}

/**
 * The catalogue cut into pages of a list: all of it when it fits in Meta's 10 rows, else 9 topics a page and a
 * tenth row for the next page (the last page holds what is left, up to 10). Pages are counted from 1.
 */
export function topicPages(catalogue: readonly Topic[]): Topic[][] {
  const pages: Topic[][] = [];
  let start = 0;
  do {
    const size = catalogue.length - start <= L.rows ? L.rows : L.rows - 1;
    pages.push(catalogue.slice(start, start + size));
    start += size;
  } while (start < catalogue.length);
  return pages;
}

/** A topic's row: its id to tap, its label (marked when followed) and description cut to Meta's limits. */
function rowOf(topic: Topic, followed: readonly TopicId[]): ListRow {
  const title = cutToLimit(`${followed.includes(topic.id) ? FOLLOWED_MARK : ''}${topic.label}`, L.rowTitle);
  const description = topic.description === undefined ? undefined : cutToLimit(topic.description, L.rowDescription);
  return { id: `topic:${topic.id}`, title, ...(description === undefined ? {} : { description }) };
}

/**
 * One page of the topic list a citizen taps (issue 19): the topics, those they follow marked ✓, and "Altri
 * argomenti" for the next page when the catalogue is longer. A `stranger` is told that a tap subscribes them, under
 * which privacy notice; nobody is subscribed by the list itself.
 */
export function topicMenu(catalogue: readonly Topic[], followed: readonly TopicId[], page = 1, stranger?: { readonly notice?: PrivacyNotice }): ListContent {
  const pages = topicPages(catalogue);
  const shown = Math.min(Math.max(page, 1), pages.length);
  const rows = (pages[shown - 1] ?? []).map((t) => rowOf(t, followed));
  if (shown < pages.length) rows.push({ id: `page:${shown + 1}`, title: MORE_TOPICS, description: `Pagina ${shown + 1} di ${pages.length}` });
  const notice = stranger?.notice;
  const privacy = notice === undefined ? '' : ` (informativa privacy, versione ${notice.version}${notice.url === undefined ? '' : `: ${notice.url}`})`;
  const intro =
    stranger === undefined
      ? 'Tocca un argomento per riceverne i messaggi, o per lasciarlo se lo segui già (✓).'
      : `Ciao! Questo è il canale di avvisi del Comune. Tocca un argomento per iscriverti e riceverne i messaggi: toccarlo vale come consenso${privacy}. Scrivere e basta non ti iscrive.`;
  const paging = pages.length > 1 ? ` Pagina ${shown} di ${pages.length}.` : '';
  return { kind: 'list', body: `${intro}${paging} Scrivi STOP per non ricevere più nulla.`, button: 'Scegli argomenti', sections: [{ title: 'Argomenti', rows }] };
}

/** What a citizen follows, in the catalogue's words: `Cantieri, Scuola`, or undefined when nothing. */
export function followedLabels(catalogue: readonly Topic[], followed: readonly TopicId[]): string | undefined {
  const labels = catalogue.filter((t) => followed.includes(t.id)).map((t) => t.label);
  return labels.length === 0 ? undefined : labels.join(', ');
}

/**
 * The answer to a tap: what changed, what they now follow, and buttons for more topics and for stopping everything
 * (only while they follow something).
 */
export function toggleAnswer(catalogue: readonly Topic[], followed: readonly TopicId[], done: string): ButtonsContent {
  const now = followedLabels(catalogue, followed);
  const body = now === undefined ? `${done} Ora non segui nessun argomento.` : `${done} Ora segui: ${now}.`;
  const more = { id: 'page:1', title: MORE_TOPICS };
  return { kind: 'buttons', body, buttons: now === undefined ? [more] : [more, { id: 'stop', title: STOP_ALL }] };
}

/** A list's plain text, for the log and for a reader of the outbox: its body and rows, one a line. */
export function menuText(content: ListContent | ButtonsContent): string {
  const items = content.kind === 'list' ? content.sections.flatMap((s) => s.rows.map((r) => `• ${r.title}`)) : content.buttons.map((b) => `[${b.title}]`);
  return [content.body, ...items].join('\n');
}
