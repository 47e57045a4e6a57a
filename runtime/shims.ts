/**
 * Page-facing adjustments every proxied document needs, framed or not. A service worker on a content
 * origin would intercept the page's requests behind the proxy's back, so registration is refused the
 * way a browser refuses it: a rejected promise, not an exception.
 */
export function installShims(): void {
  const container = navigator.serviceWorker as ServiceWorkerContainer | undefined;
  if (container) {
    const refuse = () =>
      Promise.reject(new DOMException('Service workers are not available inside Tandem.', 'SecurityError'));
    Object.defineProperty(container, 'register', { value: refuse, configurable: true, writable: true });
  }
}
