/**
 * Migration 2 of canale's PostgreSQL schema (see ../migrations.ts): what a send's plan asks of canale_subscribers
 * without reading everyone (PgSubscriberStore.survey, DESIGN §5).
 *
 * `left_topics` is the record's `optedOutTopics` (the topics a subscriber left), next to `topics`, so that a send
 * finds its audience and those it skips by index (a partial GIN index: most people left none). Written by canale
 * with the record, as the other columns are.
 *
 * `canale_attribute_names` holds every attribute key any subscriber has, with how many have it: the placeholders
 * and `--where` keys a message may use. canale keeps the counts in the transaction that changes the records (a key
 * whose count falls to 0 is removed), under the subscriber writers' advisory lock. The names are of fields
 * (`municipio`, `cap`), not anybody's data.
 *
 * Both are filled from the records already there.
 */
export const AUDIENCE_SCHEMA = `
alter table canale_subscribers add column left_topics text[] not null default '{}';
update canale_subscribers set left_topics = array(select json_array_elements_text(record -> 'optedOutTopics'))
  where json_typeof(record -> 'optedOutTopics') = 'array';
create index canale_subscribers_left_topics on canale_subscribers using gin (left_topics) where left_topics <> '{}';

create table canale_attribute_names (
  name text collate "C" primary key,
  holders bigint not null
);
insert into canale_attribute_names (name, holders)
  select key, count(*) from canale_subscribers, json_object_keys(record -> 'attributes') as key
  where json_typeof(record -> 'attributes') = 'object' group by key;
`;
