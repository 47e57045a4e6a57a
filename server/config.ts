import net from 'node:net';
import { parseCidrList } from '../proxy/egress.js';

export interface Config {
  port: number;
  host: string;
  publicUrl: URL;
  contentDomain: string;
  dataDir: string;
  allowNetworks: string[];
  /** The load balancers or reverse proxies in front of Tandem: their X-Forwarded-For is believed. */
  trustProxy: string[];
  redisUrl: string | null;
  databaseUrl: string | null;
  /** Quick sessions (anyone may create one) only while the server listens on loopback alone. */
  quickSessions: boolean;
  /** Serve the built-in demo site on loopback so Tandem can be tried with no internet. */
  demoSite: boolean;
  /** A translation service for chat lines, or null for none. */
  translateUrl: URL | null;
}

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
  }
}

interface Setting {
  env: string;
  flag: string;
}

const SETTINGS = {
  port: { env: 'PORT', flag: '--port' },
  host: { env: 'TANDEM_HOST', flag: '--host' },
  publicUrl: { env: 'TANDEM_PUBLIC_URL', flag: '--public-url' },
  contentDomain: { env: 'TANDEM_CONTENT_DOMAIN', flag: '--content-domain' },
  dataDir: { env: 'TANDEM_DATA_DIR', flag: '--data-dir' },
  allowNetworks: { env: 'TANDEM_ALLOW_NETWORKS', flag: '--allow-networks' },
  trustProxy: { env: 'TANDEM_TRUST_PROXY', flag: '--trust-proxy' },
  redisUrl: { env: 'TANDEM_REDIS_URL', flag: '--redis-url' },
  databaseUrl: { env: 'TANDEM_DATABASE_URL', flag: '--database-url' },
  demoSite: { env: 'TANDEM_DEMO_SITE', flag: '--demo-site' },
  translateUrl: { env: 'TANDEM_TRANSLATE_URL', flag: '--translate-url' },
} satisfies Record<string, Setting>;

type Key = keyof typeof SETTINGS;

function readFlags(argv: readonly string[]): Map<Key, string> {
  const byFlag = new Map<string, Key>(Object.entries(SETTINGS).map(([k, s]) => [s.flag, k as Key]));
  const out = new Map<Key, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const key = byFlag.get(flag);
    if (!key) throw new ConfigError(flag, `unknown option (known: ${[...byFlag.keys()].join(', ')})`);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    // An empty value or the next flag is a forgotten value, not a request for the default.
    if (value === undefined || value.trim() === '' || (eq === -1 && value.startsWith('--'))) {
      throw new ConfigError(flag, 'needs a value');
    }
    out.set(key, value);
  }
  return out;
}

const isLoopback = (host: string) =>
  host === 'localhost' || host === '::1' || (net.isIPv4(host) && host.startsWith('127.'));

/** Environment variables first, a command-line flag of the same meaning overrides them. */
export function parseConfig(env: NodeJS.ProcessEnv, argv: readonly string[]): Config {
  const flags = readFlags(argv);
  const raw = (key: Key): string | undefined => {
    const v = flags.get(key) ?? env[SETTINGS[key].env];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const name = (key: Key) => (flags.has(key) ? SETTINGS[key].flag : SETTINGS[key].env);

  const portText = raw('port') ?? '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new ConfigError(name('port'), `"${portText}" is not a port number (0-65535)`);
  }

  const host = raw('host') ?? '127.0.0.1';
  if (!net.isIP(host) && !/^[a-z0-9.-]+$/i.test(host)) {
    throw new ConfigError(name('host'), `"${host}" is not an address to listen on`);
  }

  const publicText = raw('publicUrl') ?? `http://localhost:${port}`;
  let publicUrl: URL;
  try {
    publicUrl = new URL(publicText);
  } catch {
    throw new ConfigError(name('publicUrl'), `"${publicText}" is not an absolute URL`);
  }
  if (publicUrl.protocol !== 'http:' && publicUrl.protocol !== 'https:') {
    throw new ConfigError(name('publicUrl'), 'must be an http: or https: URL');
  }
  if (publicUrl.pathname !== '/' || publicUrl.search || publicUrl.hash) {
    throw new ConfigError(
      name('publicUrl'),
      'must be an origin without a path (e.g. https://tandem.example.com)',
    );
  }

  const contentDomain = (raw('contentDomain') ?? 'content.localhost').toLowerCase();
  if (!/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(contentDomain)) {
    throw new ConfigError(name('contentDomain'), `"${contentDomain}" is not a domain name`);
  }
  if (publicUrl.hostname === contentDomain || publicUrl.hostname.endsWith(`.${contentDomain}`)) {
    throw new ConfigError(name('contentDomain'), 'the app origin must not be inside the content domain');
  }

  // Browsers keep Secure cookies over plain http only on localhost, and both origins carry one.
  const isLocalName = (host: string) =>
    host === 'localhost' || host.endsWith('.localhost') || host.startsWith('127.') || host === '[::1]';
  if (publicUrl.protocol === 'http:' && !(isLocalName(contentDomain) && isLocalName(publicUrl.hostname))) {
    throw new ConfigError(
      name('publicUrl'),
      'must be https:// unless both it and the content domain are on localhost (browsers refuse the Secure participant cookies over plain http elsewhere)',
    );
  }

  const networks = (key: 'allowNetworks' | 'trustProxy'): string[] => {
    const text = raw(key);
    if (!text) return [];
    try {
      return parseCidrList(text);
    } catch (e) {
      throw new ConfigError(name(key), (e as Error).message);
    }
  };
  const allowNetworks = networks('allowNetworks');
  const trustProxy = networks('trustProxy');

  const redisUrl = raw('redisUrl') ?? null;
  if (redisUrl) {
    throw new ConfigError(
      name('redisUrl'),
      'this build runs single-node only; the Redis session bus is not built yet',
    );
  }
  const databaseUrl = raw('databaseUrl') ?? null;
  if (databaseUrl) {
    throw new ConfigError(
      name('databaseUrl'),
      'this build stores data in SQLite only; PostgreSQL is not built yet',
    );
  }

  const demoText = raw('demoSite') ?? 'on';
  if (!['on', 'off'].includes(demoText)) throw new ConfigError(name('demoSite'), 'must be "on" or "off"');

  const translateText = raw('translateUrl');
  let translateUrl: URL | null = null;
  if (translateText) {
    try {
      translateUrl = new URL(translateText);
    } catch {
      throw new ConfigError(name('translateUrl'), `"${translateText}" is not an absolute URL`);
    }
    if (translateUrl.protocol !== 'http:' && translateUrl.protocol !== 'https:') {
      throw new ConfigError(name('translateUrl'), 'must be an http: or https: URL');
    }
  }

  return {
    port,
    host,
    publicUrl,
    contentDomain,
    dataDir: raw('dataDir') ?? './data',
    allowNetworks,
    trustProxy,
    redisUrl,
    databaseUrl,
    quickSessions: isLoopback(host),
    demoSite: demoText === 'on',
    translateUrl,
  };
}
