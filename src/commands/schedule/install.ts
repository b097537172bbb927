import { join } from 'node:path';
import { shellQuote as sh } from '../../core/shell-quote.js';
import type { Context } from '../context.js';

/** A word for a systemd unit's ExecStart=/Environment=: quoted when it has spaces or quotes. */
function unit(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `"${word.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The crontab command: cron gives a job almost no environment, so it loads `<home>/schedule.env` itself — the file
 * the systemd unit reads with EnvironmentFile= — exporting every NAME=value in it (`set -a`), then runs canale for
 * this home. A `%` is a newline to cron unless escaped.
 */
export function cronCommand(home: string, command: readonly string[]): string {
  const env = sh(join(home, 'schedule.env'));
  const line = `set -a; [ -f ${env} ] && . ${env}; CANALE_HOME=${sh(home)}; set +a; exec ${command.map(sh).join(' ')}`;
  return line.replace(/%/g, '\\%');
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
# Credentials: keep them in the home (canale config set whatsapp.token …; config.json is 0600), or put them in
# ${env} (chmod 600), which both the crontab line and the systemd service load — one NAME=value a line:
#   CANALE_WHATSAPP_TOKEN=EAAG…
#   CANALE_EMAIL_FROM='Comune di Esempio <avvisi@comune.example.it>'
# no spaces around =, no "export"; quote a value in '…' when it has anything but letters, digits and _-.:/@+,=%;
# lines starting with # are comments. canale doctor says whether schedule run will find what each schedule needs.

# ── crontab: crontab -e, as the user who owns the home ──
* * * * * ${cronCommand(home, command)}

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
