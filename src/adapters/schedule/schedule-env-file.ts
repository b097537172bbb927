import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readTextIfExists } from '../fs/json-file.js';
import { parseScheduleEnv, type ScheduleEnv } from '../../core/schedule/schedule-env.js';

/** Where `schedule run`'s credentials file is: the crontab line and the systemd unit both load it. */
export function scheduleEnvPath(home: string): string {
  return join(home, 'schedule.env');
}

/** `<home>/schedule.env` as cron and systemd will read it, or undefined when there is none; `mode` is its permission bits. */
export async function readScheduleEnv(home: string): Promise<(ScheduleEnv & { readonly path: string; readonly mode: number }) | undefined> {
  const path = scheduleEnvPath(home);
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  const { mode } = await stat(path);
  return { ...parseScheduleEnv(text), path, mode: mode & 0o777 };
}
