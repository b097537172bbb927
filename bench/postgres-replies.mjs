// Part 6 of bench/postgres.mjs: replies.mjs's load — citizens' replies from 50 clients to `canale webhook serve`
// while a send of "cantieri" runs — with everything in PostgreSQL: the store a copy of the loaded database, the
// batches read from the server's log and the database's inbox, the senders' records from canale_subscribers.
import { readFileSync } from 'node:fs';
import { benchSize } from './replies.mjs';
import { batchesOf, recordCheck } from './replies-checks.mjs';

const TOPIC = 'cantieri';
const P99_MS = 50;

/** The load at `count` subscribers (the database `template` holds them), `messages` replies; whether every goal is met. */
export async function benchRepliesPg(server, { template, count, messages }) {
  const { openDatabase } = await import('../dist/adapters/postgres/database.js');
  const name = 'canale_bench_replies';
  const withSql = async (env, work) => {
    const sql = openDatabase(env.CANALE_DATABASE_URL, { max: 1 });
    try {
      return await work(sql);
    } finally {
      await sql.end({ timeout: 5 });
    }
  };
  const backend = {
    label: ' in PostgreSQL, to `webhook serve`',
    where: 'canale_subscribers at the end (one query)',
    changes: 'subscriber transactions of the batches',
    p99GoalMs: P99_MS,
    prepare: async (home) => ({ CANALE_DATABASE_URL: await server.fresh(name, { template, home }) }),
    batches: (serverLog, home, env) =>
      withSql(env, async (sql) => batchesOf(readFileSync(serverLog, 'utf8'), (await sql`select text from canale_inbox order by position`).map((r) => r.text))),
    check: (home, env, expected) =>
      withSql(env, async (sql) => {
        const check = recordCheck(expected, TOPIC);
        for (const { record } of await sql`select record from canale_subscribers where id = any(${[...expected.keys()]}::text[])`) check.visit(record);
        return check.result();
      }),
  };
  try {
    return await benchSize(count, backend, messages);
  } finally {
    await server.drop(name);
  }
}
