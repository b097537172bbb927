import { frozenTransports } from '../../adapters/transports/choose.js';
import type { Schedule } from '../../core/schedule/schedule.js';
import type { Settings } from '../../core/settings.js';
import type { SendRequest } from '../../sending/prepare.js';

/** The send a schedule asks for when it fires: its frozen message, audience, send options and transports. */
export function requestOfSchedule(schedule: Schedule): SendRequest {
  const { send } = schedule;
  return {
    spec: schedule.message,
    topics: schedule.query.topics,
    where: schedule.query.where,
    channel: schedule.query.channel,
    ...(send.via === undefined ? {} : { via: send.via }),
    ...(send.rate === undefined ? {} : { rate: send.rate }),
    urgent: send.urgent,
    split: send.split,
    allowFreeText: send.allowFreeText,
    ...(send.allowNoUnsubscribe === true ? { allowNoUnsubscribe: true } : {}),
    ...(schedule.transports === undefined ? {} : { frozen: { transports: schedule.transports, what: `schedule ${schedule.id}` } }),
  };
}

/**
 * Throws, naming what is missing and where to put it, when a transport the schedule was planned with cannot be
 * built here: checked before its slot is claimed, so the slot is not spent and the first run that finds the
 * credentials sends it.
 */
export function requireScheduleTransports(schedule: Schedule, settings: Settings, home: string): void {
  frozenTransports(schedule.transports ?? {}, settings, { home, what: `schedule ${schedule.id}` });
}
