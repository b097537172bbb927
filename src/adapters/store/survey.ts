import type { ScanCount, Survey, SubscriberVisitor } from '../../core/ports.js';
import { matchSubscriber, type SubscriberFilter } from '../../core/subscriber-filter.js';

/**
 * A survey made of one pass over everyone (`scanAll`, unfiltered): every subscriber's attribute keys noted, those
 * `filter` matches handed on — for a store that reads every record anyway (a file, memory).
 */
export async function surveyByScan(scanAll: (visitor: SubscriberVisitor) => Promise<ScanCount>, filter: SubscriberFilter | undefined, visitor: SubscriberVisitor): Promise<Survey> {
  const matches = filter === undefined ? () => true : matchSubscriber(filter);
  const attributes = new Set<string>();
  let matched = 0;
  const { total } = await scanAll((s, index) => {
    for (const key in s.attributes) attributes.add(key);
    if (!matches(s)) return;
    matched++;
    visitor(s, index);
  });
  return { total, matched, attributes };
}
