/**
 * `<home>/schedule.env`, the credentials of `schedule run`: read by the systemd unit (EnvironmentFile=) and by the
 * crontab line (`set -a; . FILE`). Only what both read the same way is accepted — checked against systemd's
 * env-file parser and POSIX sh:
 *
 * - blank lines, and lines whose first non-blank character is `#` (systemd also skips `;` lines; sh does not);
 * - `NAME=value`: NAME of letters, digits and `_`, not starting with a digit, no blanks around `=`, no `export`
 *   (sh accepts it, systemd does not);
 * - the value plain — letters, digits and `_ - . : / @ + , = %` — or in single quotes with no `'` inside, and
 *   nothing after the closing quote (both read `'…'` literally; sh would expand `$`, `~` and backquotes where
 *   systemd keeps them, and systemd keeps a trailing `# note` in the value where sh drops it).
 */
export interface ScheduleEnv {
  readonly vars: Readonly<Record<string, string>>;
  /** Lines the two would read differently, or not at all: `line N: what, and how to write it`. */
  readonly problems: readonly string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PLAIN = /^[\w@%+=:,./-]*$/;
const QUOTED = /^'([^']*)'$/;

/** Parses the file's text; what is not in the common form is named in `problems` and left out of `vars`. */
export function parseScheduleEnv(text: string): ScheduleEnv {
  const vars: Record<string, string> = {};
  const problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const at = `line ${i + 1}`;
    if (raw.endsWith('\r')) {
      problems.push(`${at} ends in a Windows line break: sh keeps it in the value — save the file with Unix line ends`);
      return;
    }
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('export ')) {
      problems.push(`${at}: systemd does not read "export" — write ${line.slice(7).trim()}`);
      return;
    }
    const eq = line.indexOf('=');
    const name = eq < 0 ? '' : line.slice(0, eq);
    if (!NAME.test(name)) {
      problems.push(`${at} is not NAME=value (no blanks around =): sh and systemd would not read it alike`);
      return;
    }
    const value = line.slice(eq + 1);
    const quoted = QUOTED.exec(value);
    if (quoted !== null) vars[name] = quoted[1] ?? '';
    else if (PLAIN.test(value)) vars[name] = value;
    else problems.push(`${at}: the value of ${name} has characters sh and systemd read differently — write ${name}='…' (no ' inside, nothing after it), or keep it in the home with canale config set`);
  });
  return { vars, problems };
}
