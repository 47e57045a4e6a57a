import crypto from 'node:crypto';
import { contentOrigin, newLabel } from '../rewriter/content-host.js';

export interface ContentHost {
  sessionId: string;
  origin: string;
}

/** The part of the store the label table needs. */
export interface ContentHostTable {
  contentHostFor(sessionId: string, origin: string, newLabel: () => string): Promise<{ label: string }>;
  resolveLabel(label: string): Promise<{ sessionId: string; origin: string } | undefined>;
}

export interface ContentHostLog {
  error(fields: object, message: string): void;
}

interface KnownHost {
  label: string;
  contentOrigin: string;
  host: ContentHost;
}

/**
 * Labels are an HMAC of (session, origin) under the server secret: unguessable, and computable
 * synchronously while a page is being rewritten, on any node that holds the secret. The table makes
 * them reversible; it is written behind, and this node answers from memory until the write lands.
 */
export class ContentHosts {
  private readonly byLabel = new Map<string, ContentHost>();
  /**
   * Per session, each upstream origin's label and content origin: a page maps every URL it holds
   * through here, so neither the HMAC nor the origin's text is made twice.
   */
  private readonly bySession = new Map<string, Map<string, KnownHost>>();

  constructor(
    private readonly secret: Buffer,
    private readonly table: ContentHostTable,
    private readonly domain: string,
    private readonly publicUrl: URL,
    private readonly log: ContentHostLog,
  ) {}

  labelFor(sessionId: string, origin: string): string {
    return this.hostFor(sessionId, origin).label;
  }

  /** The content origin (scheme://label.domain:port) that serves `origin` inside the session. */
  originFor(sessionId: string, origin: string): string {
    return this.hostFor(sessionId, origin).contentOrigin;
  }

  /** Maps an absolute upstream URL onto its content host, keeping path, query and fragment. */
  mapUrl(sessionId: string, url: URL): string {
    return `${this.originFor(sessionId, url.origin)}${url.pathname}${url.search}${url.hash}`;
  }

  async resolve(label: string): Promise<ContentHost | undefined> {
    const known = this.byLabel.get(label);
    if (known) return known;
    const row = await this.table.resolveLabel(label);
    if (!row) return undefined;
    return this.remember(row.sessionId, row.origin, label).host;
  }

  /**
   * Lets go of a session's hosts once its room is gone: a long-running node would otherwise hold
   * every origin of every session it ever served. They are in the table, and a label is derived
   * again from the same secret, so a session that comes back gets the same hosts.
   */
  forget(sessionId: string): void {
    for (const known of this.bySession.get(sessionId)?.values() ?? []) this.byLabel.delete(known.label);
    this.bySession.delete(sessionId);
  }

  /** How many sessions' hosts are held in memory. */
  get sessionsHeld(): number {
    return this.bySession.size;
  }

  private hostFor(sessionId: string, origin: string): KnownHost {
    const known = this.bySession.get(sessionId)?.get(origin);
    if (known) return known;
    const label = newLabel(
      crypto.createHmac('sha256', this.secret).update(`${sessionId}\n${origin}`).digest(),
    );
    this.table
      .contentHostFor(sessionId, origin, () => label)
      .catch((err: Error) => {
        this.log.error({ err: err.message, sessionId, origin }, 'could not record a content host');
      });
    return this.remember(sessionId, origin, label);
  }

  private remember(sessionId: string, origin: string, label: string): KnownHost {
    let hosts = this.bySession.get(sessionId);
    if (!hosts) {
      hosts = new Map();
      this.bySession.set(sessionId, hosts);
    }
    const host = { sessionId, origin };
    const known = { label, contentOrigin: contentOrigin(label, this.domain, this.publicUrl), host };
    hosts.set(origin, known);
    this.byLabel.set(label, host);
    return known;
  }
}
