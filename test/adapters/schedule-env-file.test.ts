import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readScheduleEnv } from '../../src/adapters/schedule/schedule-env-file.js';

let home = '';
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'canale-schedule-env-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

/** What /bin/sh exports after `set -a; . FILE`, as the crontab line of `schedule install --print` loads it. */
function asShReadsIt(file: string): Record<string, string> {
  const script = 'set -a; . "$1"; set +a; exec "$2" -e "process.stdout.write(JSON.stringify(process.env))"';
  const result = spawnSync('/bin/sh', ['-c', script, 'sh', file, process.execPath], { env: {}, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  const env = JSON.parse(result.stdout) as Record<string, string>;
  return Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('CANALE_')));
}

describe('readScheduleEnv', () => {
  it('reads what sh reads from the same file', async () => {
    const file = join(home, 'schedule.env');
    await writeFile(
      file,
      [
        '# canale schedule run',
        'CANALE_WHATSAPP_TOKEN=EAAG123abc',
        'CANALE_WHATSAPP_PHONE_NUMBER_ID=1234567890',
        'CANALE_SMTP_URL=smtps://avvisi:p%40ss@mail.example.it:465',
        "CANALE_EMAIL_FROM='Comune di Esempio <avvisi@comune.example.it>'",
        "CANALE_UNSUBSCRIBE_SECRET='a$b`c~d'",
        '',
      ].join('\n'),
    );
    await chmod(file, 0o600);
    const read = await readScheduleEnv(home);
    expect(read).toMatchObject({ problems: [], mode: 0o600 });
    expect(read?.vars).toEqual(asShReadsIt(file));
  });

  it('is undefined when there is no file', async () => {
    expect(await readScheduleEnv(home)).toBeUndefined();
  });
});
