// How the inbox says when something happened: `now`, `Xm ago`, `HH:MM`, `MMM DD` (the seed's rule),
// plus the day separators of the chat view. Local time, 24-hour clock.
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const pad = (n: number) => String(n).padStart(2, '0')

const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()

/** Under a minute: `now`; under an hour: `Xm ago`; the same day: `HH:MM`; before: `MMM DD`. */
export function formatTime(iso: string, now: Date = new Date()): string {
  const then = new Date(iso)
  const seconds = (now.getTime() - then.getTime()) / 1000
  if (seconds < 60) return 'now'
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`
  if (startOfDay(then) === startOfDay(now)) return clock(iso)
  return `${MONTHS[then.getMonth()]} ${pad(then.getDate())}`
}

/** `HH:MM`, as under each message. */
export function clock(iso: string): string {
  const d = new Date(iso)
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** `Today`, `Yesterday`, or `Mon, Nov 23` / `Nov 23, 2025` for another year. */
export function dayLabel(iso: string, now: Date = new Date()): string {
  const then = new Date(iso)
  const days = Math.round((startOfDay(now) - startOfDay(then)) / 86_400_000)
  if (days === 0) return 'Today'
  if (days === 1) return 'Yesterday'
  const date = `${MONTHS[then.getMonth()]} ${then.getDate()}`
  if (then.getFullYear() !== now.getFullYear()) return `${date}, ${then.getFullYear()}`
  return `${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][then.getDay()]}, ${date}`
}

export function sameDay(a: string, b: string): boolean {
  return startOfDay(new Date(a)) === startOfDay(new Date(b))
}
