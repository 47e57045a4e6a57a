import path from 'node:path';
import { Archive } from '../archive/archive.js';
import { Auditors } from '../archive/auditors.js';
import { sealKey } from '../archive/seal.js';
import { DeskAccounts, DeskError } from '../desk/accounts.js';
import { emailInput } from '../desk/inputs.js';
import { isImageUrl } from '../desk/settings.js';
import { Ledger, reportPeriod } from '../ledger/ledger.js';
import { diskBlobs } from '../store/blobs.js';
import { sqliteDeskAccounts } from '../store/desk-accounts.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite.js';
import type { Brand } from '../store/types.js';
import { sqliteUsage } from '../store/usage.js';
import type { Config } from './config.js';
import { loadSecret } from './secret.js';

export const COMMANDS = ['archive', 'auditor', 'desk', 'tenant'] as const;

export const USAGE = `usage:
  tandem archive verify <session>          check a session's hash chain
  tandem auditor add <tenant> <name>       create an auditor; prints their access key once
  tandem desk admin <tenant> <email> <name>   a help desk admin; prints their password once
  tandem desk unlock <email>               lift a sign-in lockout
  tandem tenant add <id> <name>            create a customer company
  tandem tenant retention <id> <days|off>  delete its sessions that many days after they end
  tandem tenant brand <id> <name> <#rrggbb> [logo URL]   how its sessions look (or: tenant brand <id> off)
  tandem tenant usage <id> [from] [to]     sessions and participant minutes per day (YYYY-MM-DD; this month so far)`;

/** Operator commands on the data folder; answers the exit code (0 done, 1 check failed, 2 bad use). */
export async function runCommand(
  args: readonly string[],
  config: Config,
  out: (line: string) => void,
): Promise<number> {
  const store = openSqliteStore(config.dataDir);
  try {
    const [room, verb, a, b] = args;
    if (room === 'archive' && verb === 'verify' && a) {
      const session = await store.getSession(a);
      if (!session) {
        out(`no session ${a}`);
        return 2;
      }
      const archive = new Archive(
        store,
        diskBlobs(path.join(config.dataDir, 'blobs')),
        config.publicUrl.origin,
        sealKey(loadSecret(config.dataDir)),
      );
      const v = await archive.verify(session.tenantId, a);
      if (!v) return 2;
      if (v.intact) {
        const seal =
          v.sealed === undefined
            ? 'still open'
            : v.sealed
              ? 'sealed by this server'
              : 'not sealed by this server';
        out(`intact: ${v.records} records, last hash ${v.lastHash}, ${seal}`);
        return 0;
      }
      out(`broken at seq ${v.brokenAt} (record ${v.records}): ${v.reason}`);
      return 1;
    }
    if (room === 'auditor' && verb === 'add' && a && b) {
      if (!(await store.tenantExists(a))) {
        out(`no tenant ${a}`);
        return 2;
      }
      const { auditor, key } = await new Auditors(store, loadSecret(config.dataDir)).create(a, b);
      out(`auditor ${auditor.id} (${auditor.name}) of ${a}; access key (shown once): ${key}`);
      return 0;
    }
    if (room === 'desk') {
      const desk = await deskCommand(args.slice(1), store, loadSecret(config.dataDir), out);
      if (desk !== null) return desk;
    }
    if (room === 'tenant' && verb === 'add' && a && b) {
      await store.ensureTenant({ id: a, name: b });
      out(`tenant ${a} (${b})`);
      return 0;
    }
    if (room === 'tenant' && verb === 'retention' && a && b) {
      const days = b === 'off' ? null : Number(b);
      if (days !== null && !(Number.isInteger(days) && days > 0)) {
        out('retention is a whole number of days, or "off"');
        return 2;
      }
      if (!(await store.tenantExists(a))) {
        out(`no tenant ${a}`);
        return 2;
      }
      await store.setRetention(a, days);
      out(
        days === null ? `${a}: sessions are kept` : `${a}: sessions are deleted ${days} days after they end`,
      );
      return 0;
    }
    if (room === 'tenant' && verb === 'usage' && a) {
      if (!(await store.tenantExists(a))) {
        out(`no tenant ${a}`);
        return 2;
      }
      const period = reportPeriod(Date.now()).safeParse({ from: b, to: args[4] });
      if (!period.success) {
        out(period.error.issues[0]?.message ?? 'bad period');
        return 2;
      }
      const ledger = new Ledger(sqliteUsage(store.db), async (id) => (await store.getSession(id))?.tenantId, {
        error: (_fields, message) => out(message),
      });
      const report = await ledger.report(a, period.data.from, period.data.to);
      out(`${a}, ${report.from} to ${report.to} (UTC days)`);
      out('day         sessions  participant minutes');
      for (const d of report.days)
        out(`${d.day}  ${String(d.sessions).padStart(8)}  ${String(d.participantMinutes).padStart(19)}`);
      out(
        `total       ${String(report.totals.sessions).padStart(8)}  ${String(report.totals.participantMinutes).padStart(19)}`,
      );
      return 0;
    }
    if (room === 'tenant' && verb === 'brand' && a && b) {
      if (!(await store.tenantExists(a))) {
        out(`no tenant ${a}`);
        return 2;
      }
      if (b === 'off') {
        await store.setBrand(a, null);
        out(`${a}: Tandem's own look`);
        return 0;
      }
      const brand = parseBrand(b, args[4] ?? '', args[5] ?? null);
      if (typeof brand === 'string') {
        out(brand);
        return 2;
      }
      await store.setBrand(a, brand);
      out(`${a}: ${brand.name}, ${brand.colour}${brand.logo ? ', with a logo' : ''}`);
      return 0;
    }
    out(USAGE);
    return 2;
  } finally {
    await store.close();
  }
}

/** `desk admin` and `desk unlock`; null when the words are neither. */
async function deskCommand(
  words: readonly string[],
  store: SqliteStore,
  secret: Buffer,
  out: (line: string) => void,
): Promise<number | null> {
  const [verb, a, b, ...rest] = words;
  const accounts = new DeskAccounts(sqliteDeskAccounts(store.db), secret);
  const email = emailInput.safeParse(verb === 'admin' ? b : a);
  if (verb === 'admin' && a && b && rest.length > 0) {
    if (!email.success) {
      out(`"${b}" is not an email address`);
      return 2;
    }
    try {
      const made = await accounts.addAdmin(a, rest.join(' '), email.data);
      out(
        `admin ${made.user.email} of ${a}; password (shown once, change it after signing in): ${made.password}`,
      );
      out(`the company's public key: ${made.tenant.publicKey}`);
      return 0;
    } catch (e) {
      if (!(e instanceof DeskError)) throw e;
      out(e.code === 'not-found' ? `no tenant ${a}` : e.message);
      return 2;
    }
  }
  if (verb === 'unlock' && a && email.success) {
    await accounts.unlock(email.data);
    out(`${email.data} may sign in again`);
    return 0;
  }
  return null;
}

/** A brand, or what is wrong with it. */
export function parseBrand(name: string, colour: string, logo: string | null): Brand | string {
  if (!name.trim() || name.length > 60) return 'the name is 1 to 60 characters';
  if (!/^#[0-9a-f]{6}$/i.test(colour)) return 'the colour is written #rrggbb';
  if (logo !== null && !isImageUrl(logo)) return 'the logo is an https: URL or a data:image URL under 100 KB';
  return { name: name.trim(), colour: colour.toLowerCase(), logo };
}
