/** Times and sizes the way a household reads them: local time, "3 minutes ago", "2.4 MB". */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function toDate(t: string | number | Date): Date {
  return t instanceof Date ? t : new Date(t);
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** "18:05" (in the computer's own time zone). */
export function clockTime(t: string | number | Date): string {
  return toDate(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** "today 18:05", "yesterday 09:12", "tomorrow 18:00", "Mon 3 Nov 18:00" — always local time. */
export function localDateTime(t: string | number | Date, now = new Date()): string {
  const d = toDate(t);
  if (Number.isNaN(d.getTime())) return 'at an unknown time';
  if (sameDay(d, now)) return `today ${clockTime(d)}`;
  if (sameDay(d, new Date(now.getTime() - DAY))) return `yesterday ${clockTime(d)}`;
  if (sameDay(d, new Date(now.getTime() + DAY))) return `tomorrow ${clockTime(d)}`;
  const sameYear = d.getFullYear() === now.getFullYear();
  const date = d.toLocaleDateString(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: sameYear ? undefined : 'numeric',
  });
  return `${date} ${clockTime(d)}`;
}

/** "just now", "3 minutes ago", "2 hours ago", or the local date for anything older than a day. */
export function timeAgo(t: string | number | Date, now = new Date()): string {
  const d = toDate(t);
  const ms = now.getTime() - d.getTime();
  if (ms < MINUTE) return 'just now';
  if (ms < HOUR) {
    const m = Math.floor(ms / MINUTE);
    return `${m} minute${m === 1 ? '' : 's'} ago`;
  }
  if (ms < DAY) {
    const h = Math.floor(ms / HOUR);
    return `${h} hour${h === 1 ? '' : 's'} ago`;
  }
  return localDateTime(d, now);
}

/** "until tomorrow 18:00" for a time ahead, "ended today 09:00" for one passed. */
export function untilTime(t: string | number | Date, now = new Date()): string {
  const d = toDate(t);
  return d.getTime() > now.getTime() ? `until ${localDateTime(d, now)}` : `ended ${localDateTime(d, now)}`;
}

/** "2.4 MB" (decimal units, as file managers show them). */
export function humanBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return 'unknown size';
  if (n < 1000) return `${n} bytes`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
