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

/**
 * Labels are an HMAC of (session, origin) under the server secret: unguessable, and computable
 * synchronously while a page is being rewritten, on any node that holds the secret. The table makes
 * them reversible; it is written behind, and this node answers from memory until the write lands.
 */
export class ContentHosts {
  private readonly byLabel = new Map<string, ContentHost>();
  private readonly byKey = new Map<string, string>();

  constructor(
    private readonly secret: Buffer,
    private readonly table: ContentHostTable,
    private readonly domain: string,
    private readonly publicUrl: URL,
    private readonly log: ContentHostLog,
  ) {}

  labelFor(sessionId: string, origin: string): string {
    const key = `${sessionId}\n${origin}`;
    const known = this.byKey.get(key);
    if (known) return known;
    const label = newLabel(crypto.createHmac('sha256', this.secret).update(key).digest());
    this.byKey.set(key, label);
    this.byLabel.set(label, { sessionId, origin });
    this.table
      .contentHostFor(sessionId, origin, () => label)
      .catch((err: Error) => {
        this.log.error({ err: err.message, sessionId, origin }, 'could not record a content host');
      });
    return label;
  }

  /** The content origin (scheme://label.domain:port) that serves `origin` inside the session. */
  originFor(sessionId: string, origin: string): string {
    return contentOrigin(this.labelFor(sessionId, origin), this.domain, this.publicUrl);
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
    const host = { sessionId: row.sessionId, origin: row.origin };
    this.byLabel.set(label, host);
    this.byKey.set(`${row.sessionId}\n${row.origin}`, label);
    return host;
  }
}
