import { join } from 'node:path';
import { z } from 'zod';
import type { SignupStore } from '../../core/ports.js';
import { EMPTY_SIGNUPS, type SignupBook, type SignupChanged } from '../../core/signup/pending-signups.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { withFileLock } from '../fs/file-lock.js';
import { checkedJson, readJsonFile } from '../fs/json-file.js';

const channel = z.enum(['whatsapp', 'email']);

/** The book as PostgreSQL and the home keep it, checked whole when read. */
export const signupBookSchema = z.strictObject({
  pending: z.array(
    z.strictObject({
      id: z.string().min(1),
      at: z.string(),
      expiresAt: z.string(),
      name: z.string().optional(),
      phone: z.string().optional(),
      email: z.string().optional(),
      topics: z.array(z.string()),
      channel,
      code: z.string(),
      notice: z.string(),
    }),
  ),
  usedTokens: z.array(z.strictObject({ nonce: z.string(), until: z.string() })),
  days: z.array(z.strictObject({ day: z.string(), channel, requested: z.number().int(), confirmed: z.number().int(), expired: z.number().int() })),
});

const fileSchema = z.strictObject({ version: z.literal(1) }).extend(signupBookSchema.shape);

/** The book a database row holds, checked whole (SIGNUPS_DAMAGED, naming where, when it is not one). */
export function parseSignupBook(value: unknown, where: string): SignupBook {
  return checkedJson(value, signupBookSchema, where, 'SIGNUPS_DAMAGED') as unknown as SignupBook;
}

/**
 * The SignupStore port over `signups.json` in the home (0600: it holds the names, numbers and e-mails of people who
 * have not confirmed yet): validated when read, rewritten atomically under its own lock, like `schedules.json`.
 */
export class HomeSignupStore implements SignupStore {
  constructor(private readonly home: string) {}

  whereIs(): string {
    return join(this.home, 'signups.json');
  }

  async read(): Promise<SignupBook> {
    const data = await readJsonFile(this.whereIs(), fileSchema, 'SIGNUPS_DAMAGED');
    if (data === undefined) return EMPTY_SIGNUPS;
    const { version: _version, ...book } = data;
    return book as unknown as SignupBook;
  }

  update<T>(change: (book: SignupBook) => SignupChanged<T>): Promise<T> {
    return withFileLock(join(this.home, 'signups'), { waitMs: 20_000 }, async ({ assertHeld }) => {
      const before = await this.read();
      const { book, result } = change(before);
      if (book === before) return result;
      assertHeld();
      await writeFileAtomic(this.whereIs(), `${JSON.stringify({ version: 1, ...book })}\n`);
      return result;
    });
  }
}
