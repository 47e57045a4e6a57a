/** How long a scheduled session is expected to take: no agent gets two within this of each other. */
export const SLOT_MS = 30 * 60_000;

/**
 * Who gets a session scheduled at `at`: an agent of the skill with nothing else booked within a
 * slot of it, the one with the fewest sessions booked around that day (then by id, so the choice
 * is stable). Null when nobody is free then.
 */
export function chooseScheduledAgent(
  agents: ReadonlyArray<{ id: string; skills: readonly string[] }>,
  booked: ReadonlyArray<{ agentId: string | null; scheduledAt: number | null }>,
  skill: string | null,
  at: number,
): string | null {
  let best: { id: string; load: number } | null = null;
  for (const a of agents) {
    if (skill !== null && !a.skills.includes(skill)) continue;
    const mine = booked.filter((b) => b.agentId === a.id && b.scheduledAt !== null);
    if (mine.some((b) => Math.abs((b.scheduledAt as number) - at) < SLOT_MS)) continue;
    if (!best || mine.length < best.load || (mine.length === best.load && a.id < best.id))
      best = { id: a.id, load: mine.length };
  }
  return best?.id ?? null;
}
