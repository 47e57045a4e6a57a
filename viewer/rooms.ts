import type { ChatLine } from './state.js';

/**
 * Sidebars: private conversations among a subset of the participants. A sidebar is nothing but its
 * members; every private line (a chat line with `to`) belongs to the one whose members are its
 * sender and recipients. Pure, so the grouping and unread counts are tested without a browser.
 */
export interface Sidebar {
  /** The members other than this participant, sorted: the sidebar's identity. */
  members: string[];
  key: string;
  lines: ChatLine[];
  /** Lines from others after the last one this participant saw there. */
  unread: number;
}

export const sidebarKey = (members: readonly string[]) => [...new Set(members)].sort().join(' ');

/** The members of a line's sidebar, seen from `me`; null for a line to everyone. */
export function membersOf(line: Pick<ChatLine, 'from' | 'to'>, me: string): string[] | null {
  if (!line.to) return null;
  return [...new Set([line.from, ...line.to])].filter((id) => id !== me).sort();
}

/**
 * Every sidebar this participant is in: those with lines, most recent first, after those started
 * here that have none yet. `seen` holds, per sidebar key, the last seq read there.
 */
export function sidebarsOf(
  chat: readonly ChatLine[],
  me: string,
  seen: Readonly<Record<string, number>>,
  started: ReadonlyArray<readonly string[]>,
): Sidebar[] {
  const byKey = new Map<string, Sidebar>();
  for (const line of chat) {
    const members = membersOf(line, me);
    if (!members) continue;
    const key = sidebarKey(members);
    let sidebar = byKey.get(key);
    if (!sidebar) {
      sidebar = { members, key, lines: [], unread: 0 };
      byKey.set(key, sidebar);
    }
    sidebar.lines.push(line);
    if (line.from !== me && line.seq > (seen[key] ?? 0)) sidebar.unread++;
  }
  const talking = [...byKey.values()].sort((a, b) => (b.lines.at(-1)?.seq ?? 0) - (a.lines.at(-1)?.seq ?? 0));
  const quiet = started
    .map((m) => [...new Set(m)].filter((id) => id !== me).sort())
    .filter((m) => m.length > 0 && !byKey.has(sidebarKey(m)))
    .map((members) => ({ members, key: sidebarKey(members), lines: [], unread: 0 }));
  const unique = new Map(quiet.map((s) => [s.key, s]));
  return [...unique.values(), ...talking];
}
