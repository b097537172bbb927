import type { SignupBook, SignupChanged } from '../signup/pending-signups.js';

/**
 * The sign-ups from the web page waiting for their confirmation, the form tokens already used and the daily counts
 * (DESIGN §5). Small — a sign-up lives `signup.pendingDays` — so kept as one book: `update` runs `change` on the book
 * as it is now, serialised across processes (and machines, in PostgreSQL), and keeps what it returns atomically; a
 * change that throws keeps nothing. The pure operations on the book are in core/signup/pending-signups.ts.
 */
export interface SignupStore {
  read(): Promise<SignupBook>;
  update<T>(change: (book: SignupBook) => SignupChanged<T>): Promise<T>;
  /** Where the book is, for messages. */
  whereIs(): string;
}
