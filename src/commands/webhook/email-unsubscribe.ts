import { preferencesPage, savedPage } from '../../adapters/http/preferences-page.js';
import { donePage, expiredPage, gonePage, invalidPage } from '../../adapters/http/unsubscribe-page.js';
import type { WebhookHandlers } from '../../adapters/http/webhook-server.js';
import type { PreferencesRecord, SubscriberStore, UnsubscribeLinks, UnsubscribeRecord } from '../../core/ports.js';

/** What the page records, each durable (and told to running sends) before it resolves: the citizen then gets the answer. */
export interface PageRecorder {
  /** An unsubscribe from the link's topic, or from everything. */
  unsubscribe(at: string, target: UnsubscribeRecord): Promise<void>;
  /** A choice of topics, with the catalogue's topics not chosen: running sends stop those for this citizen. */
  preferences(at: string, choice: PreferencesRecord, left: readonly string[]): Promise<void>;
}

/**
 * `GET /u/TOKEN` shows the citizen's preference page and changes nothing (mail scanners open links): every topic of
 * the catalogue as a checkbox, ticked where they follow it, "Salva le preferenze", and "Annulla l'iscrizione a tutto".
 * `POST /u/TOKEN` records, in the event log on disk, then answers: `action=save` with the `topic`s ticked (ids the
 * catalogue lacks are dropped; none ticked is leaving everything), `action=leave` (or `scope=all`) everything, and
 * anything else — an RFC 8058 one-click `List-Unsubscribe=One-Click` — the link's topic (everything when it has none).
 * The signed token in the address is the only capability: a form posted from elsewhere cannot know it. The server's
 * applier then applies it with the next batch. A token not signed with this home's secret is refused (403), one older
 * than `unsubscribe.tokenDays` answers 410 with a page saying how else to leave; neither records anything.
 */
export function emailUnsubscribe(store: Pick<SubscriberStore, 'find' | 'topics'>, links: UnsubscribeLinks, city: string, now: () => string, recorder: PageRecorder): WebhookHandlers['unsubscribe'] {
  return async (token, method, form) => {
    const target = links.read(token);
    if (target === undefined) return { status: 403, html: invalidPage(city), summary: 'token refused' };
    if (target === 'expired') return { status: 410, html: expiredPage(city), summary: 'token expired' };
    const catalogue = await store.topics();
    const labelOf = (id: string) => catalogue.find((t) => t.id === id)?.label ?? id;
    if (method === 'GET') {
      // one subscriber, by the id the signed link names: the public host's role can read nothing else
      const subscriber = await store.find({ id: target.subscriberId });
      if (subscriber === undefined) return { status: 200, html: gonePage(city), summary: 'page' };
      const linkTopic = target.topic === undefined ? {} : { linkTopic: labelOf(target.topic) };
      const html = preferencesPage({ city, topics: catalogue, following: subscriber.topics, isUnsubscribed: subscriber.status === 'unsubscribed', ...linkTopic });
      return { status: 200, html, summary: 'page' };
    }
    const action = form.get('action');
    const subscriberId = target.subscriberId;
    if (action === 'save') {
      const ticked = new Set(form.getAll('topic'));
      const chosen = catalogue.map((t) => t.id).filter((t) => ticked.has(t));
      if (chosen.length > 0) {
        const left = catalogue.map((t) => t.id).filter((t) => !ticked.has(t));
        await recorder.preferences(now(), { subscriberId, topics: chosen, source: 'email:preferences' }, left);
        return { status: 200, html: savedPage(city, chosen.map(labelOf)), summary: `preferences ${chosen.length}/${catalogue.length} topics: recorded` };
      }
    }
    const oneClick = action === null && form.get('List-Unsubscribe') === 'One-Click';
    const topic = action === 'save' || action === 'leave' || form.get('scope') === 'all' ? undefined : target.topic;
    await recorder.unsubscribe(now(), { subscriberId, ...(topic === undefined ? {} : { topic }), source: oneClick ? 'email:one-click' : 'email:link' });
    return { status: 200, html: donePage(city, topic === undefined ? undefined : labelOf(topic)), summary: `unsubscribe ${topic === undefined ? 'all' : 'topic'}${oneClick ? ' one-click' : ''}: recorded` };
  };
}
