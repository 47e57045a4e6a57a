/** A page visited in a tab. */
export interface Visit {
  url: string;
  title: string;
  at: number;
}

export const VISITED_KEPT = 50;

/**
 * The tab's history after a page report: a repeated report of the same page only refreshes its
 * title. Shared by the room and the viewer so both keep the same list between welcomes.
 */
export function addVisit(visited: readonly Visit[], url: string, title: string, at: number): Visit[] {
  const last = visited.at(-1);
  if (last?.url === url) return [...visited.slice(0, -1), { ...last, title: title || last.title }];
  return [...visited, { url, title, at }].slice(-VISITED_KEPT);
}
