// Child of bench/postgres.mjs: the store's own time of `canale subscribers add`, in-process. The ports opened as a
// command opens them (pgPersistence), then RUNS adds of a new number each, every one the store's work of
// src/commands/subscribers/add.ts — the topic catalogue read, then the transaction of the number's hints that checks
// the draft against the catalogue it sees and adds the subscriber — timed alone. Prints `{ ms: [...] }`.
import { systemClock } from '../dist/adapters/clock.js';
import { homePaths } from '../dist/adapters/home.js';
import { pgPersistence } from '../dist/adapters/postgres/pg-persistence.js';
import { invalidDraft, parseSubscriberAdd } from '../dist/commands/subscribers/add.js';
import { checkSubscriberDraft } from '../dist/core/subscriber-input.js';

const [url, home, runs] = [process.argv[2], process.argv[3], Number(process.argv[4])];
const country = 'IT';
const { subscribers, close } = await pgPersistence(url, homePaths(home), { clock: systemClock });
const ms = [];
try {
  for (let k = 0; k < runs; k++) {
    const options = parseSubscriberAdd({ phone: `+39 320 100 ${String(k).padStart(4, '0')}`, topics: 'cantieri' });
    const now = new Date().toISOString();
    const started = globalThis.performance.now();
    const checked = checkSubscriberDraft(options.draft, { country, topics: await subscribers.topics() });
    if (!checked.ok) throw invalidDraft(checked.problems);
    const input = checked.value;
    await subscribers.transaction({ phones: [input.phone] }, (tx) => {
      const again = checkSubscriberDraft(options.draft, { country, topics: tx.topics() });
      if (!again.ok) throw invalidDraft(again.problems);
      return tx.add(again.value, { id: `sub_benchadd${k}`, now, consent: { source: options.consentSource, at: now } });
    });
    ms.push(globalThis.performance.now() - started);
  }
  console.log(JSON.stringify({ ms }));
} finally {
  await close();
}
