import crypto from 'node:crypto';
import type { ArchiveStore, AuditorRow } from '../store/types.js';

const hash = (key: string) => crypto.createHash('sha256').update(key).digest('hex');
/** How long a sign-in lasts. */
export const AUDITOR_SESSION_MS = 12 * 60 * 60_000;

/**
 * Auditors read one tenant's archive. They sign in with an access key an operator creates
 * (`tandem auditor add`); the browser then holds a signed, expiring cookie rather than the key.
 */
export class Auditors {
  constructor(
    private readonly store: Pick<ArchiveStore, 'addAuditor' | 'auditorByKeyHash' | 'getAuditor'>,
    private readonly secret: Buffer,
  ) {}

  async create(
    tenantId: string,
    name: string,
    now = Date.now(),
  ): Promise<{ auditor: AuditorRow; key: string }> {
    const key = `tak_${crypto.randomBytes(24).toString('base64url')}`;
    const auditor: AuditorRow = {
      id: crypto.randomBytes(9).toString('base64url'),
      tenantId,
      name,
      keyHash: hash(key),
      createdAt: now,
    };
    await this.store.addAuditor(auditor);
    return { auditor, key };
  }

  async byKey(key: string): Promise<AuditorRow | undefined> {
    return key ? this.store.auditorByKeyHash(hash(key)) : undefined;
  }

  /** A cookie value naming the auditor until `expires`, signed so it cannot be forged or extended. */
  signIn(auditor: AuditorRow, now = Date.now()): string {
    const body = `${auditor.id}.${now + AUDITOR_SESSION_MS}`;
    return `${body}.${this.sign(body)}`;
  }

  async fromCookie(value: string, now = Date.now()): Promise<AuditorRow | undefined> {
    const m = /^([A-Za-z0-9_-]+)\.(\d+)\.([A-Za-z0-9_-]+)$/.exec(value);
    if (!m) return undefined;
    const [, id, expires, signature] = m as unknown as [string, string, string, string];
    const expected = Buffer.from(this.sign(`${id}.${expires}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return undefined;
    if (Number(expires) < now) return undefined;
    return this.store.getAuditor(id);
  }

  private sign(body: string): string {
    return crypto.createHmac('sha256', this.secret).update(`auditor\n${body}`).digest('base64url');
  }
}
