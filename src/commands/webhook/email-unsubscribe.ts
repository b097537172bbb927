import { confirmPage, donePage, expiredPage, gonePage, invalidPage } from '../../adapters/http/unsubscribe-page.js';
import type { WebhookHandlers } from '../../adapters/http/webhook-server.js';
import type { SubscriberStore, UnsubscribeLinks, UnsubscribeRecord } from '../../core/ports.js';

/**
 * `GET /u/TOKEN` shows a confirmation page and changes nothing (mail scanners open links); `POST /u/TOKEN` — the
 * page's button or an RFC 8058 one-click `List-Unsubscribe=One-Click` — records the unsubscribe from the link's
 * topic, or from everything, in the event log on disk and answers; the server's applier then applies it with the
 * next batch (and tells running sends). A token not signed with this home's secret is refused (403), one older than
 * `unsubscribe.tokenDays` answers 410 with a page saying how else to leave; neither records anything.
 */
export function emailUnsubscribe(
  store: Pick<SubscriberStore, 'find' | 'topics'>,
  links: UnsubscribeLinks,
  city: string,
  now: () => string,
  record: (at: string, target: UnsubscribeRecord) => Promise<void>,
): WebhookHandlers['unsubscribe'] {
  return async (token, method, form) => {
    const target = links.read(token);
    if (target === undefined) return { status: 403, html: invalidPage(city), summary: 'token refused' };
    if (target === 'expired') return { status: 410, html: expiredPage(city), summary: 'token expired' };
    if (method === 'GET') {
      const label = target.topic === undefined ? undefined : ((await store.topics()).find((t) => t.id === target.topic)?.label ?? target.topic);
      const known = (await store.find({ id: target.subscriberId })) !== undefined;
      return { status: 200, html: known ? confirmPage(city, label) : gonePage(city), summary: 'page' };
    }
    const oneClick = form.get('List-Unsubscribe') === 'One-Click';
    const topic = form.get('scope') === 'all' ? undefined : target.topic;
    // only the topic catalogue is read for the page: the subscriber is looked up when the line is applied
    const label = topic === undefined ? undefined : ((await store.topics()).find((t) => t.id === topic)?.label ?? topic);
    await record(now(), { subscriberId: target.subscriberId, ...(topic === undefined ? {} : { topic }), source: oneClick ? 'email:one-click' : 'email:link' });
    return { status: 200, html: donePage(city, label), summary: `unsubscribe ${topic === undefined ? 'all' : 'topic'}${oneClick ? ' one-click' : ''}: recorded` };
  };
}
