/** How many wrong passwords in how long lock an account, and for how long. */
export interface LockoutRule {
  failures: number;
  windowMs: number;
  lockMs: number;
}

export const LOCKOUT: LockoutRule = { failures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

/**
 * When the account is locked until, given its recorded failures (ascending epoch ms), or null when
 * it is not locked now. Attempts during a lock are refused unchecked and not recorded, so the last
 * failure is the one that started the lock.
 */
export function lockedUntil(
  failures: readonly number[],
  now: number,
  rule: LockoutRule = LOCKOUT,
): number | null {
  if (failures.length < rule.failures) return null;
  const last = failures[failures.length - 1] as number;
  const first = failures[failures.length - rule.failures] as number;
  if (last - first > rule.windowMs) return null;
  const until = last + rule.lockMs;
  return now < until ? until : null;
}
