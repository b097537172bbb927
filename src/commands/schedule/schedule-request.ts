import type { Schedule } from '../../core/schedule/schedule.js';
import type { SendRequest } from '../send/prepare.js';

/** The send a schedule asks for when it fires: its frozen message, audience and send options. */
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
  };
}
