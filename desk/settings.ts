import { z } from 'zod';
import type { Brand } from '../store/types.js';
import { exactOrigin } from './origins.js';

/** An https image or an inline data:image under 100 KB: nothing a visitor's browser fetches in clear. */
export function isImageUrl(value: string): boolean {
  if (value.length > 100_000) return false;
  if (/^data:image\/(png|jpeg|webp|svg\+xml);base64,[A-Za-z0-9+/=]+$/.test(value)) return true;
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

const imageUrl = z.string().refine(isImageUrl, 'an https: URL or a data:image URL under 100 KB');

const origin = z
  .string()
  .max(300)
  .transform((value, ctx) => {
    const o = exactOrigin(value);
    if (o === null) {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" is not an origin: write the scheme, host and port, like https://shop.example`,
      });
      return z.NEVER;
    }
    return o;
  });

const scenario = z.strictObject({
  leadsFirst: z.enum(['agent', 'visitor']),
  batonPolicy: z.enum(['support', 'collaboration']),
  /** CSS selectors masked in the recording, on top of what is always masked (passwords). */
  maskSelectors: z.array(z.string().trim().min(1).max(200)).max(50),
  liveTyping: z.boolean(),
  avatars: z.boolean(),
});

export const SCENARIOS = ['support', 'collaboration', 'training', 'administrative'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** A tenant's desk settings. */
export const settingsSchema = z.strictObject({
  allowedOrigins: z
    .array(origin)
    .max(100)
    .transform((list) => [...new Set(list)]),
  seatCap: z.number().int().min(1).max(100_000),
  monitorNotice: z.boolean(),
  waitTargetSeconds: z.number().int().min(5).max(86_400),
  offerTimeoutSeconds: z.number().int().min(5).max(600),
  scenarios: z.strictObject({
    support: scenario,
    collaboration: scenario,
    training: scenario,
    administrative: scenario,
  }),
  avatarsByPage: z
    .array(
      z.strictObject({
        pathPrefix: z.string().startsWith('/', 'a path starting with /').max(500),
        avatar: imageUrl,
      }),
    )
    .max(200),
  brand: z
    .strictObject({
      name: z.string().trim().min(1).max(60),
      color: z
        .string()
        .regex(/^#[0-9a-fA-F]{6}$/, 'a colour written #rrggbb')
        .transform((c) => c.toLowerCase()),
      /** Empty for none. */
      logoUrl: z
        .string()
        .refine((v) => v === '' || isImageUrl(v), 'empty, or an https: URL or a data:image URL under 100 KB'),
    })
    .nullable(),
});

export type DeskSettings = z.infer<typeof settingsSchema>;

const guided: DeskSettings['scenarios']['support'] = {
  leadsFirst: 'agent',
  batonPolicy: 'support',
  maskSelectors: [],
  liveTyping: false,
  avatars: true,
};

/** What a new tenant starts with: nothing allowed to ask for help until an admin names its sites. */
export const DEFAULT_SETTINGS: DeskSettings = {
  allowedOrigins: [],
  seatCap: 10,
  monitorNotice: true,
  waitTargetSeconds: 120,
  offerTimeoutSeconds: 20,
  scenarios: {
    support: guided,
    collaboration: { ...guided, leadsFirst: 'visitor', batonPolicy: 'collaboration', liveTyping: true },
    training: guided,
    administrative: { ...guided, avatars: false },
  },
  avatarsByPage: [],
  brand: null,
};

/**
 * Stored settings read back through the schema; fields added to the schema after a version was saved
 * take their defaults, so old versions stay readable.
 */
export function readStoredSettings(json: string): DeskSettings {
  return settingsSchema.parse({ ...DEFAULT_SETTINGS, ...(JSON.parse(json) as object) });
}

/** The settings' brand as the tenant's brand, which the session viewer shows. */
export function tenantBrand(brand: DeskSettings['brand']): Brand | null {
  return brand && { name: brand.name, colour: brand.color, logo: brand.logoUrl || null };
}

/** The avatar for the page a visitor asked from: the longest matching path prefix wins. */
export function avatarFor(settings: Pick<DeskSettings, 'avatarsByPage'>, pageUrl: string): string | null {
  let path: string;
  try {
    path = new URL(pageUrl).pathname;
  } catch {
    return null;
  }
  let best: { pathPrefix: string; avatar: string } | null = null;
  for (const a of settings.avatarsByPage) {
    if (path.startsWith(a.pathPrefix) && (!best || a.pathPrefix.length > best.pathPrefix.length)) best = a;
  }
  return best?.avatar ?? null;
}
