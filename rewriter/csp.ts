/**
 * The policy the proxy adds to everything it serves from a content host. A proxied page may load,
 * connect, submit forms and frame only on the session's content hosts (and data:/blob:), so a URL
 * the rewriter and the runtime shims both missed is blocked by the browser instead of reaching the
 * site directly, past the egress guard and the session's cookie jar. It may be framed only by the
 * viewer and by other content pages.
 *
 * `publicUrl` is Tandem's public address: content hosts share its scheme and port.
 */
export function contentPolicy(publicUrl: URL, contentDomain: string): string {
  const { hosts, sockets } = contentHostSources(publicUrl, contentDomain);
  return [
    `default-src 'self' ${hosts} data: blob: 'unsafe-inline' 'unsafe-eval'`,
    `connect-src 'self' ${hosts} ${sockets} data: blob:`,
    `form-action 'self' ${hosts}`,
    `frame-ancestors ${publicUrl.origin} ${hosts}`,
  ].join('; ');
}

/** Source expressions for every content host, and for WebSockets to them. */
export function contentHostSources(
  publicUrl: URL,
  contentDomain: string,
): { hosts: string; sockets: string } {
  const port = publicUrl.port ? `:${publicUrl.port}` : '';
  return {
    hosts: `${publicUrl.protocol}//*.${contentDomain}${port}`,
    sockets: `${publicUrl.protocol === 'https:' ? 'wss:' : 'ws:'}//*.${contentDomain}${port}`,
  };
}
