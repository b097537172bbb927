import type { SignupStore } from '../../core/ports.js';
import { EMPTY_SIGNUPS, type SignupBook, type SignupChanged } from '../../core/signup/pending-signups.js';

/** The SignupStore port in memory: updates one after the other; a change that throws keeps nothing; copies handed out. */
export class MemorySignupStore implements SignupStore {
  private book: SignupBook = EMPTY_SIGNUPS;
  private queue: Promise<unknown> = Promise.resolve();

  whereIs(): string {
    return 'memory:signups';
  }

  async read(): Promise<SignupBook> {
    return structuredClone(this.book);
  }

  update<T>(change: (book: SignupBook) => SignupChanged<T>): Promise<T> {
    const next = this.queue.then(() => {
      const { book, result } = change(structuredClone(this.book));
      this.book = structuredClone(book);
      return result;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
