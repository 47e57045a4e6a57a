import { rewriteUrl, type UrlMapper } from './url.js';

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON for inside a `<script>`: `<` escaped, so a value holding "</script>" cannot end it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** Whether the text is an import map the browser would read: a JSON object. */
export function isImportMap(json: string): boolean {
  try {
    return isTable(JSON.parse(json));
  } catch {
    return false;
  }
}

/**
 * An import map's addresses, mapped like any other URL: the values of `imports`, and the keys and
 * values of `scopes` (scope keys are matched against the URLs of the importing modules, which are
 * content-host URLs). Specifier keys stay as written: they are matched against what scripts import.
 * `prefixes` are added to `imports` where the map has no entry of its own for the same key.
 * A map that is not valid JSON is left alone; the browser ignores it too.
 */
export function rewriteImportMap(
  json: string,
  base: URL,
  map: UrlMapper,
  prefixes: Readonly<Table> = {},
): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return json;
  }
  if (!isTable(parsed)) return json;
  const importMap = parsed as { imports?: unknown; scopes?: unknown };
  let changed = false;
  const mapValues = (table: unknown): unknown => {
    if (!isTable(table)) return table;
    const out: Table = {};
    for (const [key, value] of Object.entries(table)) {
      const mapped = typeof value === 'string' ? rewriteUrl(value, base, map) : value;
      if (mapped !== value) changed = true;
      out[key] = mapped;
    }
    return out;
  };
  const result: Table = { ...importMap };
  if ('imports' in importMap) result.imports = mapValues(importMap.imports);
  if (isTable(importMap.scopes)) {
    const scopes: Table = {};
    for (const [scope, table] of Object.entries(importMap.scopes)) {
      const key = rewriteUrl(scope, base, map);
      if (key !== scope) changed = true;
      scopes[key] = mapValues(table);
    }
    result.scopes = scopes;
  }
  const imports = result.imports ?? {};
  if (isTable(imports)) {
    const added = Object.entries(prefixes).filter(([key]) => !(key in imports));
    if (added.length > 0) {
      result.imports = { ...imports, ...Object.fromEntries(added) };
      changed = true;
    }
  }
  return changed ? scriptJson(result) : json;
}

/**
 * Prefix entries that send absolute module URLs of each upstream origin (`https://cdn.example/`)
 * to its content host: module specifiers are resolved by the browser, through import maps only.
 */
export function originPrefixes(origins: Iterable<string>, map: UrlMapper): Table {
  const prefixes: Table = {};
  for (const origin of origins) {
    const mapped = new URL(map(new URL(`${origin}/`)));
    prefixes[`${origin}/`] = `${mapped.origin}/`;
  }
  return prefixes;
}

/** An import map of its own, for a document that has none before its first module script. */
export function importMapElement(prefixes: Readonly<Table>, nonce: string): string {
  const nonceAttribute = nonce ? ` nonce="${nonce}"` : '';
  return `<script type="importmap"${nonceAttribute}>${scriptJson({ imports: prefixes })}</script>`;
}
