import { randomBytes } from 'node:crypto';
import { usageError } from '../../core/errors.js';

/**
 * The least privilege of the public host (DESIGN §5): what `webhook serve` does on the database, and nothing else.
 * It records what Meta and citizens' browsers send (the inbox, its cursor, the opt-out feed, failure streaks),
 * receipts and account trouble in campaign journals (which hold positions, statuses and message ids, no contacts),
 * and citizens' own changes (a STOP, ISCRIVI, a number change) to their subscriber rows. It cannot read the
 * subscriber list: no SELECT on canale_subscribers but its `id` (which a row-by-row UPDATE must name), so no
 * `select`, `copy … to` or `subscribers export` of phones, e-mails or names; a subscriber is found only by a key
 * the server already holds (the number or user id a message came from, the id in a signed unsubscribe link), through
 * `canale_subscribers_find`, which runs as the schema's owner and answers those keys alone. It cannot delete
 * subscribers, change the schema, or touch schedules and locks other than reading who holds the send lock. It keeps
 * the sign-up page's pending sign-ups (`canale_signups`), which it takes in and confirms.
 */
const WEBHOOK_GRANTS: ReadonlyArray<readonly [privileges: string, tables: readonly string[]]> = [
  ['select', ['canale_schema', 'canale_topics', 'canale_templates', 'canale_locks', 'canale_erasure_mark', 'canale_import_in_progress']],
  ['select', ['canale_campaigns', 'canale_campaign_recipients', 'canale_campaign_dropped']],
  ['select, insert', ['canale_campaign_journal', 'canale_campaign_trouble']],
  ['select, insert', ['canale_inbox', 'canale_optouts']],
  ['select, update', ['canale_feed_ends']],
  ['select, insert, update', ['canale_inbox_cursor']],
  ['select, insert, update, delete', ['canale_failure_streaks']],
  // the sign-up page's pending sign-ups, used form tokens and daily counts: what this host itself takes in and confirms
  ['select, update', ['canale_signups']],
  ['select (id), insert, update (phone, email_key, user_id, status, topics, left_topics, sources, record)', ['canale_subscribers']],
  // the names of fields (municipio, cap) and how many have each: no one's data
  ['select, insert, update, delete', ['canale_attribute_names']],
];

const WEBHOOK_FUNCTIONS = [
  'canale_subscribers_find(text[], text[], text[], text[], text[])',
  'canale_campaign_append_lock(text)',
  'canale_campaign_journal_append(text, text, text)',
  'canale_lock_key(text)',
  'canale_lock_held(text)',
];

/** What `db roles --print` is asked for: the group role's name and the login role made in it. */
export interface RolesRequest {
  readonly role: string;
  readonly login: string;
  /** The login role's password; absent: a new random one. */
  readonly password?: string;
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function checkName(flag: string, name: string): string {
  if (!ROLE_NAME.test(name)) throw usageError('ROLE_NAME', `${flag} ${name}: a role name is 1–63 lower-case letters, digits and _ (not starting with a digit)`);
  return name;
}

const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * The SQL a database owner runs (psql -f) to make the public host's roles: `role` (no login) holding the grants
 * above, and `login` in it, with its password. Safe to run again after a migration: grants are given again.
 */
export function webhookRolesSql(request: RolesRequest): { readonly sql: string; readonly password: string } {
  const role = checkName('--role', request.role);
  const login = checkName('--login', request.login);
  const password = request.password ?? randomBytes(18).toString('base64url');
  const lines = [
    `-- canale: the public host's role (canale webhook serve), least privilege: it records webhooks, receipts and`,
    `-- citizens' own changes, and cannot read or export the subscriber list. Run as the owner of canale's tables`,
    `-- (the role \`canale db migrate\` runs as), e.g. psql "$CANALE_DATABASE_URL" -f roles.sql; again after each migration.`,
    `-- The public host then runs with database.url = postgres://${login}:PASSWORD@HOST:5432/DATABASE`,
    'begin;',
    `do $roles$ begin`,
    `  if not exists (select 1 from pg_roles where rolname = ${literal(role)}) then create role ${role} nologin; end if;`,
    `  if not exists (select 1 from pg_roles where rolname = ${literal(login)}) then create role ${login} login in role ${role}; end if;`,
    `end $roles$;`,
    `alter role ${login} with login password ${literal(password)};`,
    `grant ${role} to ${login};`,
    `grant usage on schema public to ${role};`,
    ...WEBHOOK_GRANTS.map(([privileges, tables]) => `grant ${privileges} on ${tables.join(', ')} to ${role};`),
    `grant execute on function ${WEBHOOK_FUNCTIONS.join(', ')} to ${role};`,
    'commit;',
  ];
  return { sql: `${lines.join('\n')}\n`, password };
}
