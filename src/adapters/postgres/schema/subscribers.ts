/**
 * The subscribers, topics and templates of canale's PostgreSQL schema, migration 1 (see ../migrations.ts), for
 * PgSubscriberStore (DESIGN §5).
 *
 * One row per subscriber: its whole record as canale keeps it (`record`, json rather than jsonb, which would reorder
 * its keys: `subscribers show` lists attributes in the order they were given), next to the columns canale finds and
 * filters by. `email_key` is core/email.ts's emailKey of the address, computed by canale (PostgreSQL's lower() is
 * not JavaScript's toLowerCase for every letter); keys compare byte by byte (collation "C": exact, and cheaper to
 * index than a language's order). `sources` holds the record's `whatsapp:<message id>` consent sources, so that a
 * reply is found applied by index (a partial GIN index: most people have none). `position` is the store's order:
 * the order subscribers were first inserted in (a replace keeps it). Phone, e-mail and user id are unique at commit
 * (deferred), so that one transaction may move a number from one subscriber to another; writers are serialised by
 * an advisory lock and check uniqueness themselves, so these constraints are a backstop.
 *
 * The topic catalogue and the synced templates are lists in their order. A new database starts with the default
 * catalogue as it was when this migration was written (core/topic.ts DEFAULT_TOPICS then; a test says when they
 * part).
 */
export const SUBSCRIBERS_SCHEMA = `
create table canale_subscribers (
  id text collate "C" primary key,
  position bigint generated always as identity,
  phone text collate "C",
  email_key text collate "C",
  user_id text collate "C",
  status text not null check (status in ('active', 'unsubscribed')),
  topics text[] not null,
  sources text[] not null default '{}',
  record json not null,
  constraint canale_subscribers_phone_key unique (phone) deferrable initially deferred,
  constraint canale_subscribers_email_key_key unique (email_key) deferrable initially deferred,
  constraint canale_subscribers_user_id_key unique (user_id) deferrable initially deferred
);
create unique index canale_subscribers_position on canale_subscribers (position);
create index canale_subscribers_topics on canale_subscribers using gin (topics);
create index canale_subscribers_sources on canale_subscribers using gin (sources) where sources <> '{}';

create table canale_topics (
  position integer primary key,
  id text not null unique,
  record json not null
);

create table canale_templates (
  position integer primary key,
  record json not null
);

insert into canale_topics (position, id, record) values
  (0, 'scuola', '{"id":"scuola","label":"Scuola","description":"Scuole, mense, iscrizioni e calendario scolastico"}'),
  (1, 'cantieri', '{"id":"cantieri","label":"Cantieri","description":"Lavori stradali, chiusure e deviazioni"}'),
  (2, 'raccolta-differenziata', '{"id":"raccolta-differenziata","label":"Raccolta differenziata","description":"Calendario della raccolta, centri di raccolta, ingombranti"}'),
  (3, 'mobilita', '{"id":"mobilita","label":"Mobilità","description":"Trasporto pubblico, ZTL, parcheggi, scioperi"}'),
  (4, 'eventi', '{"id":"eventi","label":"Eventi","description":"Cultura, sport e manifestazioni in città"}'),
  (5, 'sociale', '{"id":"sociale","label":"Sociale","description":"Servizi sociali, bandi e contributi"}'),
  (6, 'emergenze', '{"id":"emergenze","label":"Emergenze","description":"Allerte meteo, protezione civile, avvisi urgenti"}');

-- the subscribers holding any of these keys, and no one else: how every canale finds whom it works on, and the only
-- way the public host's role (canale db roles), which may not read the table, finds anyone. It runs as the tables'
-- owner; a caller that cannot read the table is held to 20,000 keys a call, so it cannot list the subscribers by
-- asking for every number there is
create function canale_subscribers_find(want_ids text[], want_phones text[], want_email_keys text[], want_user_ids text[], want_sources text[])
returns table (found json) language plpgsql stable security definer set search_path = pg_catalog, public as $fn$
begin
  if coalesce(cardinality(want_ids), 0) + coalesce(cardinality(want_phones), 0) + coalesce(cardinality(want_email_keys), 0)
      + coalesce(cardinality(want_user_ids), 0) + coalesce(cardinality(want_sources), 0) > 20000
    and not has_table_privilege(session_user, 'public.canale_subscribers', 'select') then
    raise insufficient_privilege using message = 'a role that may not read the subscriber list finds at most 20,000 subscribers a call';
  end if;
  return query select s.record from canale_subscribers s
    where s.id = any(want_ids) or s.phone = any(want_phones) or s.email_key = any(want_email_keys)
      or s.user_id = any(want_user_ids) or (s.sources && want_sources and s.sources <> '{}');
end
$fn$;
revoke all on function canale_subscribers_find(text[], text[], text[], text[], text[]) from public;
`;
