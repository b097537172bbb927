import type { Schedule } from '../../core/schedule/schedule.js';
import { localTime } from '../../sending/send-window.js';

/** A schedule as `--json` shows it: times in UTC, the zone they are read in, the transports, the latest runs. */
export function viewOf(s: Schedule): Record<string, unknown> {
  return {
    id: s.id,
    status: s.status,
    message: s.message.source,
    topics: s.query.topics,
    where: s.query.where,
    channel: s.query.channel,
    ...(s.transports === undefined ? {} : { transports: s.transports }),
    ...(s.at === undefined ? {} : { at: s.at }),
    ...(s.every === undefined ? {} : { every: s.every }),
    timezone: s.timezone,
    next: s.next ?? null,
    urgent: s.send.urgent,
    split: s.send.split,
    createdAt: s.createdAt,
    ...(s.cancelledAt === undefined ? {} : { cancelledAt: s.cancelledAt }),
    runs: s.runs,
  };
}

export function whenText(s: Schedule): string {
  return s.every === undefined ? `once, ${localTime(new Date(s.at ?? s.createdAt), s.timezone)}` : `every "${s.every}"`;
}
