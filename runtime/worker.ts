import { mapRequests, urlMapper } from './shims.js';

/**
 * Run first in every dedicated or shared worker the owner's page starts: the proxy puts this code
 * in front of the worker's script (withWorkerPrelude). A worker runs none of the page's shims, so its own
 * `fetch`, `XMLHttpRequest`, `importScripts`, `WebSocket`, `EventSource` and nested workers are
 * mapped here. A worker does not know which site it stands for: every origin, its own included, is
 * asked of the content host once.
 */
declare const importScripts: ((...urls: (string | URL)[]) => void) | undefined;

const marker = Symbol.for('tandem.worker');
const scope = globalThis as unknown as Record<symbol, boolean>;
// Every module of a module worker's graph carries it, and so may scripts a classic worker imports.
if (!scope[marker] && typeof XMLHttpRequest === 'function') {
  scope[marker] = true;
  const map = urlMapper('', () => location.href);
  mapRequests(map);
  if (typeof importScripts === 'function') {
    const native = importScripts;
    Object.defineProperty(globalThis, 'importScripts', {
      configurable: true,
      writable: true,
      value: (...urls: (string | URL)[]) => native(...urls.map(map)),
    });
  }
}
