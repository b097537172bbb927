import type { ImportRow } from './row.js';
import type { Subscriber, SubscriberId } from '../subscriber.js';

/**
 * Keeps an import from giving two subscribers one WhatsApp user id (DESIGN §8: one user id is one citizen). The user
 * id is not a key the import matches rows by — the file's id, phone and e-mail are — so a row whose user id another
 * row, or a stored subscriber other than the one it matched, already has is rejected, as a contact shared by two
 * people is: merging two records is for a person to decide. Only the file's user ids are indexed (most files have
 * none), and the store is looked at one subscriber at a time, as the planner reads it.
 */
export class UserIdClaims {
  /** Per user id of the file: the first citizen (index in the batch) that has it. */
  private readonly firstCitizen = new Map<string, number>();
  /** Per citizen: the stored subscriber that already has its user id. */
  private readonly heldBy = new Map<number, SubscriberId>();

  constructor(private readonly citizens: readonly ImportRow[]) {
    citizens.forEach((row, citizen) => {
      const userId = row.whatsappUserId;
      if (userId !== undefined && !this.firstCitizen.has(userId)) this.firstCitizen.set(userId, citizen);
    });
  }

  /** One subscriber of the store. */
  see(s: Subscriber): void {
    if (this.firstCitizen.size === 0 || s.whatsappUserId === undefined) return;
    const citizen = this.firstCitizen.get(s.whatsappUserId);
    if (citizen !== undefined) this.heldBy.set(citizen, s.id);
  }

  /** Why this citizen of the file cannot have its user id, given the stored subscriber it matched; else undefined. */
  clash(citizen: number, matched: string | undefined): string | undefined {
    const userId = this.citizens[citizen]?.whatsappUserId;
    if (userId === undefined) return undefined;
    const first = this.firstCitizen.get(userId) ?? citizen;
    if (first !== citizen) {
      return `the WhatsApp user id ${userId} is also on line ${this.citizens[first]?.line ?? '?'} — one user id is one citizen: make the two rows one, or fix one`;
    }
    const holder = this.heldBy.get(citizen);
    if (holder === undefined || holder === matched) return undefined;
    return `the WhatsApp user id ${userId} is subscriber ${holder}'s — one user id is one citizen: merge the two by hand (canale subscribers show ${holder}), or drop the user id from the row`;
  }
}
