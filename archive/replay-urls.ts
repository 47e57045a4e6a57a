/**
 * Recorded pages name their resources by content-host URL (`https://<label>.<content domain>/…`).
 * For replay every such URL is pointed at the session's archive instead, so a replayed page loads
 * what was served that day and nothing from the live site or the proxy.
 */
export function toArchiveUrls(labels: Iterable<string>, assetBase: string): (text: string) => string {
  const known = [...labels].filter((l) => /^[a-z2-7]+$/.test(l));
  if (known.length === 0) return (text) => text;
  const pattern = new RegExp(
    `(?:https?:)?//(${known.join('|')})\\.[a-z0-9.-]+(?::\\d+)?(?=[/"'\\\\)\\s?#]|$)`,
    'gi',
  );
  return (text) => text.replace(pattern, (_m, label: string) => `${assetBase}/${label.toLowerCase()}`);
}
