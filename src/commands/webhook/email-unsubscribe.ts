import { confirmPage, donePage, expiredPage, gonePage, invalidPage } from '../../adapters/webhook/unsubscribe-page.js';
import type { WebhookHandlers } from '../../adapters/webhook/webhook-server.js';
import type { Store, UnsubscribeLinks } from '../../core/ports.js';
import { replaceSubscriber, unsubscribe } from '../../core/subscribers.js';
import type { TopicId } from '../../core/topic.js';

/**
 * `GET /u/TOKEN` shows a confirmation page and changes nothing (mail scanners open links); `POST /u/TOKEN` — the
 * page's button or an RFC 8058 one-click `List-Unsubscribe=One-Click` — unsubscribes from the link's topic, or from
 * everything. A token not signed with this home's secret is refused (403), one older than `unsubscribe.tokenDays`
 * answers 410 with a page saying how else to leave; neither changes anything.
 */
export function emailUnsubscribe(store: Store, links: UnsubscribeLinks, city: string, now: () => string): WebhookHandlers['unsubscribe'] {
  return async (token, method, form) => {
    const target = links.read(token);
    if (target === undefined) return { status: 403, html: invalidPage(city), summary: 'token refused' };
    if (target === 'expired') return { status: 410, html: expiredPage(city), summary: 'token expired' };
    const data = await store.read();
    const label = (topic: string | undefined) => (topic === undefined ? undefined : (data.topics.find((t) => t.id === topic)?.label ?? topic));
    if (method === 'GET') {
      const known = data.subscribers.some((s) => s.id === target.subscriberId);
      return { status: 200, html: known ? confirmPage(city, label(target.topic)) : gonePage(city), summary: 'page' };
    }
    const oneClick = form.get('List-Unsubscribe') === 'One-Click';
    const topic = form.get('scope') === 'all' ? undefined : (target.topic as TopicId | undefined);
    const at = now();
    const result = await store.update((fresh) => {
      const current = fresh.subscribers.find((s) => s.id === target.subscriberId);
      if (current === undefined) return 'gone';
      const next = unsubscribe(current, topic, { at, source: oneClick ? 'email:one-click' : 'email:link' });
      if (next === current) return 'unchanged';
      replaceSubscriber(fresh, next);
      return 'unsubscribed';
    });
    if (result === 'gone') return { status: 200, html: gonePage(city), summary: 'unsubscribe: no subscriber' };
    return { status: 200, html: donePage(city, label(topic)), summary: `unsubscribe ${topic === undefined ? 'all' : 'topic'}${oneClick ? ' one-click' : ''}: ${result}` };
  };
}
