// Child of bench/store.mjs: 1,000 citizens' replies (half STOP, half STOP cantieri), from subscribers of the store,
// applied in one transaction exactly as the webhook server's applier applies a batch (applyStoreEvents through
// SubscriberStore.transaction). Prints the time of the transaction alone, in ms.
import { JsonSubscriberStore } from '../dist/adapters/store/json-subscriber-store.js';
import { readPayload } from '../dist/commands/webhook/event-lines.js';
import { applyStoreEvents, storeEventHints } from '../dist/core/replies/reply-batch.js';
import { subscriber } from './generate-store.mjs';

const [db, count, replies] = process.argv.slice(2).map((a, i) => (i === 0 ? a : Number(a)));
const at = '2026-12-02T10:00:00.000Z';
const events = [];
for (let k = 0, i = 0; k < replies; i += 3) {
  const s = subscriber((i * 7919) % count);
  if (s.phone === undefined) continue;
  const payload = { object: 'whatsapp_business_account', entry: [{ id: 'w', changes: [{ field: 'messages', value: { messages: [{ id: `wamid.B${k}`, from: s.phone.slice(1), timestamp: '1796205600', type: 'text', text: { body: k % 2 === 0 ? 'STOP' : 'STOP cantieri' } }] } }] }] };
  events.push(...readPayload(payload, at).events);
  k++;
}
let n = 0;
const started = globalThis.performance.now();
const result = await new JsonSubscriberStore(db).transaction(storeEventHints(events), (tx) => applyStoreEvents(tx, events, () => `sub_bench${n++}`));
const ms = globalThis.performance.now() - started;
console.log(JSON.stringify({ ms, replies: events.length, changed: result.changed, optOuts: result.optOuts.length }));
