import { join } from 'node:path';
import { shellQuote as sh } from '../../core/shell-quote.js';
import type { Context } from '../context.js';

/** A word for a systemd unit's ExecStart=/Environment=: quoted when it has spaces or quotes. */
function unit(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `"${word.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * What `canale schedule install --print` prints: a crontab line and a systemd service + timer pair that run
 * `canale schedule run` once a minute for this home, with this Node and this canale. canale changes no system file;
 * a person installs these (README: "Running schedules").
 */
export function installLines(ctx: Context): string {
  const node = ctx.deps.program?.node ?? 'node';
  const script = ctx.deps.program?.script ?? 'canale';
  const home = ctx.paths.home;
  const command = [node, script, 'schedule', 'run'];
  const env = join(home, 'schedule.env');
  return `# canale schedule run, once a minute, for the home ${home}
# Credentials: set them in the home (canale config set whatsapp.token …; config.json is 0600), or put
# CANALE_WHATSAPP_TOKEN=… lines in ${env} (chmod 600) for the systemd service.

# ── crontab: crontab -e, as the user who owns the home ──
* * * * * CANALE_HOME=${sh(home)} ${command.map(sh).join(' ')}

# ── systemd: /etc/systemd/system/canale-schedule.service (or ~/.config/systemd/user/ with systemctl --user) ──
[Unit]
Description=canale: send scheduled messages (canale schedule run)
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
# User=canale   (for a system unit: the user who owns the home)
Environment=CANALE_HOME=${unit(home)}
EnvironmentFile=-${unit(env)}
ExecStart=${command.map(unit).join(' ')}
# exit 4: a person's send held the lock; what is due waits for the next minute's run
SuccessExitStatus=4

# ── systemd: /etc/systemd/system/canale-schedule.timer ──
[Unit]
Description=canale schedule run, every minute

[Timer]
OnCalendar=*-*-* *:*:00
AccuracySec=1s

[Install]
WantedBy=timers.target

# then: systemctl daemon-reload && systemctl enable --now canale-schedule.timer
#       (journalctl -u canale-schedule shows what each run did)`;
}
