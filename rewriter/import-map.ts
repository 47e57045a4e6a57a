import { rewriteUrl, type UrlMapper } from './url.js';

/**
 * An import map's addresses, mapped like any other URL: the values of `imports`, and the keys and
 * values of `scopes` (scope keys are matched against the URLs of the importing modules, which are
 * content-host URLs). Specifier keys stay as written: they are matched against what scripts import.
 * A map that is not valid JSON is left alone; the browser ignores it too.
 */
export function rewriteImportMap(json: string, base: URL, map: UrlMapper): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return json;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return json;
  const importMap = parsed as { imports?: unknown; scopes?: unknown };
  let changed = false;
  const mapValues = (table: unknown): unknown => {
    if (typeof table !== 'object' || table === null || Array.isArray(table)) return table;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(table)) {
      const mapped = typeof value === 'string' ? rewriteUrl(value, base, map) : value;
      if (mapped !== value) changed = true;
      out[key] = mapped;
    }
    return out;
  };
  const result: Record<string, unknown> = { ...importMap };
  if ('imports' in importMap) result.imports = mapValues(importMap.imports);
  if (typeof importMap.scopes === 'object' && importMap.scopes !== null && !Array.isArray(importMap.scopes)) {
    const scopes: Record<string, unknown> = {};
    for (const [scope, table] of Object.entries(importMap.scopes)) {
      const key = rewriteUrl(scope, base, map);
      if (key !== scope) changed = true;
      scopes[key] = mapValues(table);
    }
    result.scopes = scopes;
  }
  // `<` escaped, so a value holding "</script>" cannot end the element early.
  return changed ? JSON.stringify(result).replace(/</g, '\\u003c') : json;
}
