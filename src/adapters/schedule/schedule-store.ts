import { join } from 'node:path';
import { z } from 'zod';
import type { Schedule } from '../../core/schedule/schedule.js';
import { audienceQuerySchema, messageSpecSchema, transportSchema } from '../campaign/campaign-store.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { withFileLock } from '../fs/file-lock.js';
import { readJsonFile } from '../fs/json-file.js';

const scheduleSchema = z.strictObject({
  id: z.string().min(1),
  status: z.enum(['active', 'done', 'cancelled']),
  message: messageSpecSchema,
  query: audienceQuerySchema,
  send: z.strictObject({
    via: transportSchema.optional(),
    rate: z.number().positive().optional(),
    concurrency: z.number().int().positive(),
    urgent: z.boolean(),
    split: z.boolean(),
    allowFreeText: z.boolean(),
    allowNoUnsubscribe: z.boolean().optional(),
  }),
  transports: z.strictObject({ whatsapp: transportSchema.optional(), email: transportSchema.optional() }).optional(),
  at: z.string().optional(),
  every: z.string().optional(),
  timezone: z.string(),
  next: z.string().optional(),
  createdAt: z.string(),
  cancelledAt: z.string().optional(),
  runs: z.array(z.strictObject({ slot: z.string(), campaign: z.string(), firedAt: z.string(), missed: z.number().int().positive().optional(), error: z.string().optional() })),
});

const fileSchema = z.strictObject({ version: z.literal(1), schedules: z.array(scheduleSchema) });

const scheduleFile = (home: string): string => join(home, 'schedules.json');

/**
 * Schedules live in `schedules.json` beside db.json, not in it: `schedule run` reads them every minute and must
 * not load a million subscribers to find that nothing is due. Small, validated on load, rewritten atomically (0600)
 * under its own lock.
 */
export async function readSchedules(home: string): Promise<Schedule[]> {
  const data = await readJsonFile(scheduleFile(home), fileSchema, 'SCHEDULES_DAMAGED');
  return (data?.schedules ?? []) as unknown as Schedule[];
}

/** Changes the schedules under their lock (waiting up to 20 s for another canale), then writes them atomically. */
export async function updateSchedules<T>(home: string, change: (schedules: Schedule[]) => { readonly schedules: readonly Schedule[]; readonly result: T }): Promise<T> {
  return withFileLock(join(home, 'schedules'), { waitMs: 20_000 }, async ({ assertHeld }) => {
    const { schedules, result } = change(await readSchedules(home));
    assertHeld();
    await writeFileAtomic(scheduleFile(home), `${JSON.stringify({ version: 1, schedules }, null, 2)}\n`);
    return result;
  });
}
