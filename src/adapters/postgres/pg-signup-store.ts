import type { SignupStore } from '../../core/ports.js';
import type { SignupBook, SignupChanged } from '../../core/signup/pending-signups.js';
import { parseSignupBook } from '../signup/home-signup-store.js';
import type { Sql } from './database.js';

/**
 * The SignupStore port in PostgreSQL (schema/signups.ts): the book in the one row of `canale_signups`. `update` locks
 * that row (`for update`), runs the change on the book as it is then and writes what it returns, in one
 * transaction: serialised across machines, kept whole or not at all.
 */
export class PgSignupStore implements SignupStore {
  constructor(private readonly sql: Sql) {}

  whereIs(): string {
    return 'the table canale_signups';
  }

  async read(): Promise<SignupBook> {
    const [row] = await this.sql<{ book: unknown }[]>`select book from canale_signups where id = 1`;
    return parseSignupBook(row?.book, this.whereIs());
  }

  async update<T>(change: (book: SignupBook) => SignupChanged<T>): Promise<T> {
    const done = await this.sql.begin(async (tx) => {
      const [row] = await tx<{ book: unknown }[]>`select book from canale_signups where id = 1 for update`;
      const before = parseSignupBook(row?.book, this.whereIs());
      const { book, result } = change(before);
      if (book !== before) await tx`update canale_signups set book = ${JSON.stringify(book)}::text::json where id = 1`;
      return { result };
    });
    return done.result as T;
  }
}
