/** Usage is counted per company per UTC day: the day a span of time falls in, as `YYYY-MM-DD`. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A span of connected time, `from` to `to` (epoch ms), cut at UTC midnights and added into `into`
 * by day. A span that ends before it starts adds nothing.
 */
export function addByDay(into: Map<string, number>, from: number, to: number): Map<string, number> {
  let start = from;
  while (start < to) {
    const midnight = (Math.floor(start / DAY_MS) + 1) * DAY_MS;
    const end = Math.min(to, midnight);
    const day = dayOf(start);
    into.set(day, (into.get(day) ?? 0) + (end - start));
    start = end;
  }
  return into;
}

/** How many days `from` to `to` covers, both included (`YYYY-MM-DD`); 0 or less when `to` comes first. */
export function dayCount(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
}
