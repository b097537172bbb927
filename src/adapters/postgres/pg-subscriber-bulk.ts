import type { TxSql } from './database.js';

/**
 * From this many new rows, when they are at least as many as the table holds (an import into an empty or small
 * store), the table's indexes are built after the rows are in rather than kept up row by row: a million rows go in
 * in about a third of the time.
 */
export const BULK_ROWS = 100_000;

/**
 * Runs `load` with canale_subscribers' indexes and unique constraints dropped, then makes them again from their
 * definitions as the database holds them (whatever the migrations made), in the same transaction: a failure keeps
 * them as they were, and a duplicate the rows bring is refused when its constraint is made again (23505). The
 * table is locked against readers until the commit; writers wait for the store's advisory lock anyway. A primary
 * key that a foreign key of another table needs is kept, and so are the constraints then.
 */
export async function withIndexesAfter(tx: TxSql, load: () => Promise<void>): Promise<void> {
  const [referenced] = await tx<{ n: number }[]>`select count(*)::int as n from pg_constraint where confrelid = 'canale_subscribers'::regclass`;
  const constraints =
    (referenced?.n ?? 0) > 0
      ? []
      : await tx<{ name: string; definition: string }[]>`
          select conname as name, pg_get_constraintdef(oid) as definition from pg_constraint
          where conrelid = 'canale_subscribers'::regclass and contype in ('p', 'u') order by conname`;
  const indexes = await tx<{ name: string; definition: string }[]>`
    select c.relname as name, pg_get_indexdef(i.indexrelid) as definition from pg_index i join pg_class c on c.oid = i.indexrelid
    where i.indrelid = 'canale_subscribers'::regclass and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)
    order by c.relname`;
  for (const { name } of constraints) await tx`alter table canale_subscribers drop constraint ${tx(name)}`;
  for (const { name } of indexes) await tx`drop index ${tx(name)}`;
  await load();
  // definitions read from the catalogue, not values: nothing of a subscriber is in them
  for (const { name, definition } of constraints) await tx.unsafe(`alter table canale_subscribers add constraint "${name.replaceAll('"', '""')}" ${definition}`);
  for (const { definition } of indexes) await tx.unsafe(definition);
}
