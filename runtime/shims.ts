import { hostEntry } from './host-entry.js';
import { toProxyUrl, toUpstreamUrl, type UrlMapContext } from './url-map.js';

/** Attributes that name a URL the browser loads or navigates to, by element. */
const URL_PROPERTIES: ReadonlyArray<[string, string]> = [
  ['HTMLImageElement', 'src'],
  ['HTMLScriptElement', 'src'],
  ['HTMLLinkElement', 'href'],
  ['HTMLIFrameElement', 'src'],
  ['HTMLFrameElement', 'src'],
  ['HTMLSourceElement', 'src'],
  ['HTMLMediaElement', 'src'],
  ['HTMLTrackElement', 'src'],
  ['HTMLEmbedElement', 'src'],
  ['HTMLObjectElement', 'data'],
  ['HTMLAnchorElement', 'href'],
  ['HTMLAreaElement', 'href'],
  ['HTMLFormElement', 'action'],
  ['HTMLInputElement', 'formAction'],
  ['HTMLButtonElement', 'formAction'],
  ['HTMLVideoElement', 'poster'],
];
const URL_ATTRIBUTES = new Set(['src', 'href', 'action', 'formaction', 'data', 'poster']);

/**
 * Page-facing adjustments every proxied document needs, framed or not.
 *
 * URLs that scripts build at run time (an API's absolute address, a CDN image, a WebSocket to
 * another host) are mapped onto the session's content hosts, so they go through the proxy like
 * everything the rewriter saw in the HTML. The Content-Security-Policy the proxy adds blocks what
 * these shims miss: a missed URL fails visibly instead of reaching the site behind the proxy's back.
 *
 * A service worker on a content origin would intercept the page's requests behind the proxy's back,
 * so registration is refused the way a browser refuses it: a rejected promise, not an exception.
 */
export function installShims(
  upstreamOrigin: string | undefined,
  cookies: string | undefined,
  appOrigin?: string,
): void {
  refuseServiceWorkers();
  if (appOrigin) hideViewer(appOrigin);
  if (!upstreamOrigin || !location.hostname.includes('.')) return;
  const cookieView = emulateDocumentCookie(cookies ?? '');
  emulateCookieStore(cookieView, upstreamOrigin.startsWith('https:'));
  const map = urlMapper(upstreamOrigin, () => document.baseURI);
  const enter = mapRequests(map, (response) =>
    cookieView.update(response.headers.get(DOCUMENT_COOKIE_HEADER)),
  );
  const nativeSend = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (
    this: XMLHttpRequest,
    body?: Document | XMLHttpRequestBodyInit | null,
  ) {
    this.addEventListener('readystatechange', () => {
      // Only same-origin answers: reading an unexposed header across origins logs an error.
      if (
        this.readyState === XMLHttpRequest.HEADERS_RECEIVED &&
        this.responseURL.startsWith(`${location.origin}/`)
      ) {
        cookieView.update(this.getResponseHeader(DOCUMENT_COOKIE_HEADER));
      }
    });
    return nativeSend.call(this, body);
  };
  const nativeBeacon = navigator.sendBeacon?.bind(navigator);
  if (nativeBeacon) navigator.sendBeacon = (url, data) => nativeBeacon(map(url), data);
  const nativeWindowOpen = window.open;
  window.open = function (this: Window, url?: string | URL, ...rest: unknown[]) {
    const target = url === undefined || url === '' ? url : map(url);
    return (nativeWindowOpen as (...a: unknown[]) => Window | null).call(this, target, ...rest);
  } as typeof window.open;
  for (const method of ['pushState', 'replaceState'] as const) {
    const native = history[method];
    history[method] = function (this: History, data: unknown, unused: string, url?: string | URL | null) {
      return native.call(this, data, unused, url === undefined || url === null ? url : map(url));
    };
  }
  mapElementUrls(map);
  mapFormSubmission(map, enter);
  mapNavigations(map, location.hostname.slice(location.hostname.indexOf('.')));
}

/** Targets that keep `window.open` in this browsing context (none means a new one). */
const SAME_WINDOW = new Set(['_self', '_parent', '_top']);

/**
 * In the tab owner's live page a new window would escape the session: `window.open` and links with
 * a target open a tab of the session instead, through `open`. `window.open` then returns null, as
 * when a popup blocker refuses it, which pages already handle. An address that cannot be read back as
 * the site's (another content host's) opens the ordinary way.
 */
export function openInSession(upstreamOrigin: string, open: (url: string) => void): void {
  const ctx: UrlMapContext = {
    pageOrigin: location.origin,
    upstreamOrigin,
    contentSuffix: location.hostname.slice(location.hostname.indexOf('.')),
    lookup: () => null,
  };
  const upstream = (url: string | URL) => toUpstreamUrl(String(url), document.baseURI, ctx);
  const mappedOpen = window.open;
  window.open = function (this: Window, url?: string | URL, target?: string, ...rest: unknown[]) {
    const to = url === undefined || url === '' ? null : upstream(url);
    if (to === null || SAME_WINDOW.has((target ?? '').toLowerCase())) {
      return (mappedOpen as (...a: unknown[]) => Window | null).call(this, url, target, ...rest);
    }
    open(to);
    return null;
  } as typeof window.open;
  // On the window, after the page's own handlers: a click the page cancelled opens nothing.
  addEventListener('click', (e) => {
    const link = e.target instanceof Element ? e.target.closest('a[href][target]') : null;
    if (e.defaultPrevented || e.button !== 0 || !(link instanceof HTMLAnchorElement)) return;
    if (!link.target || SAME_WINDOW.has(link.target.toLowerCase())) return;
    const to = upstream(link.href);
    if (to === null) return;
    e.preventDefault();
    open(to);
  });
}

/**
 * The URL mapping of one document or worker. A URL on `upstreamOrigin` maps to this content host;
 * another origin's content host is named by the server (its label is keyed with a secret), and
 * constructors such as WebSocket need the answer at once: one synchronous request per origin.
 * Without `upstreamOrigin` (a worker does not know its own), that origin is asked for too.
 */
export function urlMapper(upstreamOrigin: string, base: () => string): (url: string | URL) => string {
  const nativeOpen = XMLHttpRequest.prototype.open;
  const nativeSend = XMLHttpRequest.prototype.send;
  const known = new Map<string, string | null>();
  const lookupSync = (origin: string): string | null => {
    const xhr = new XMLHttpRequest();
    nativeOpen.call(xhr, 'GET', `/__tandem/map?origin=${encodeURIComponent(origin)}`, false);
    try {
      nativeSend.call(xhr);
    } catch {
      return null;
    }
    return xhr.status === 200 ? xhr.responseText : null;
  };
  const ctx: UrlMapContext = {
    pageOrigin: location.origin,
    upstreamOrigin,
    contentSuffix: location.hostname.slice(location.hostname.indexOf('.')),
    lookup(origin) {
      if (!known.has(origin)) known.set(origin, lookupSync(origin));
      return known.get(origin) ?? null;
    },
  };
  return (url) => toProxyUrl(String(url), base(), ctx);
}

/**
 * What documents and workers both have: fetch, XMLHttpRequest and the constructors of sockets,
 * event streams and workers, all mapped. A credentialed fetch or XHR to another content host
 * enters it first (see hostEntry), which is returned for other requests to do the same. `seen`
 * is shown every fetch response.
 */
export function mapRequests(
  map: (u: string | URL) => string,
  seen?: (response: Response) => void,
): (url: string) => Promise<void> | null {
  const nativeFetch = globalThis.fetch;
  const enter = hostEntry(location.hostname.slice(location.hostname.indexOf('.')), nativeFetch);
  const fetchMapped = function (
    this: unknown,
    input: RequestInfo | URL,
    init?: RequestInit,
  ): Promise<Response> {
    if (input instanceof Request) {
      const mapped = map(input.url);
      if (mapped === input.url) return nativeFetch.call(this, input, init);
      if (input.body === null) return nativeFetch.call(this, new Request(mapped, input), init);
      // Re-wrapping a request with a body would make it a streamed upload, which browsers send
      // only over HTTP/2: the body is read first and sent as it is.
      return input
        .blob()
        .then((body) => nativeFetch.call(globalThis, new Request(mapped, requestInit(input, body)), init));
    }
    return nativeFetch.call(this, map(input), init);
  };
  globalThis.fetch = function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
    const credentials = init?.credentials ?? (input instanceof Request ? input.credentials : undefined);
    const entry = credentials === 'include' ? enter(map(input instanceof Request ? input.url : input)) : null;
    const response = entry
      ? entry.then(() => fetchMapped.call(this, input, init))
      : fetchMapped.call(this, input, init);
    if (!seen) return response;
    return response.then((r) => {
      seen(r);
      return r;
    });
  };
  const nativeOpen = XMLHttpRequest.prototype.open;
  const nativeSend = XMLHttpRequest.prototype.send;
  /** The mapped URL of each asynchronous request opened, for its send. */
  const opened = new WeakMap<XMLHttpRequest, string>();
  XMLHttpRequest.prototype.open = function (
    this: XMLHttpRequest,
    method: string,
    url: string | URL,
    ...rest: unknown[]
  ) {
    const mapped = map(url);
    if (rest[0] === false) opened.delete(this);
    else opened.set(this, mapped);
    return (nativeOpen as (...a: unknown[]) => void).call(this, method, mapped, ...rest);
  } as typeof XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.send = function (
    this: XMLHttpRequest,
    body?: Document | XMLHttpRequestBodyInit | null,
  ) {
    const url = opened.get(this);
    const entry = url !== undefined && this.withCredentials ? enter(url) : null;
    if (!entry) return nativeSend.call(this, body);
    void entry.then(() => {
      // Unless the page aborted or opened it anew meanwhile.
      if (this.readyState === XMLHttpRequest.OPENED && opened.get(this) === url) nativeSend.call(this, body);
    });
  };
  wrapConstructor('WebSocket', map);
  wrapConstructor('EventSource', map);
  wrapConstructor('Worker', map);
  wrapConstructor('SharedWorker', map);
  return enter;
}

/**
 * In the owner's live frame the page sits inside Tandem's viewer, and would see it: a parent that is
 * not itself, and the app's origin among its ancestors. Opened directly it would be the top window,
 * and pages act on the difference (frame busters, "am I embedded?" checks, messages to the parent).
 * So the document whose parent is the viewer sees itself as its own parent, and every document drops
 * the viewer from `location.ancestorOrigins`; frames inside the page still see the page above them.
 *
 * `window.top` cannot be changed (it is unforgeable) and still names the viewer, and so does an
 * index into `location.ancestorOrigins` (`ancestorOrigins[0]`), which no script can redefine.
 * `frameElement` needs nothing: it is null under a parent of another origin, as in a top window.
 * Browsers without `location.ancestorOrigins` cannot tell the viewer from a page and are left alone.
 */
function hideViewer(appOrigin: string): void {
  const ancestors = location.ancestorOrigins as DOMStringList | undefined;
  if (!ancestors || ancestors.length === 0 || ancestors.item(ancestors.length - 1) !== appOrigin) return;
  // [SameObject]: every read of location.ancestorOrigins gives this list, so it is known by identity.
  const shown = ancestors.length - 1;
  const proto = DOMStringList.prototype;
  const length = Object.getOwnPropertyDescriptor(proto, 'length');
  const { item, contains } = proto;
  if (!length?.get) return;
  const nativeLength = length.get;
  Object.defineProperty(proto, 'length', {
    ...length,
    get(this: DOMStringList) {
      return this === ancestors ? shown : nativeLength.call(this);
    },
  });
  proto.item = function (this: DOMStringList, index: number) {
    return this === ancestors && index >= shown ? null : item.call(this, index);
  };
  proto.contains = function (this: DOMStringList, value: string) {
    if (this !== ancestors) return contains.call(this, value);
    for (let i = 0; i < shown; i++) if (item.call(this, i) === value) return true;
    return false;
  };
  if (shown > 0) return;
  // `parent` is [Replaceable]: an own, configurable property of the window, which a page may
  // assign to as well.
  Object.defineProperty(window, 'parent', {
    configurable: true,
    enumerable: true,
    get: () => window,
    set(value: unknown) {
      Object.defineProperty(window, 'parent', {
        value,
        configurable: true,
        enumerable: true,
        writable: true,
      });
    },
  });
}

/** Named in proxy/content-server.ts: the jar's script-visible cookies after a response set some. */
const DOCUMENT_COOKIE_HEADER = 'tandem-document-cookie';

/** The page's view of the site's cookies (`name=value; …`), kept by the document.cookie shim. */
interface CookieView {
  read(): string;
  /** Puts a `Set-Cookie`-style line into the jar; resolves once the view shows the result. */
  write(line: string): Promise<void>;
  update(header: string | null): void;
  /** Called with the view before and after every change. */
  onChange?: (before: string, after: string) => void;
}

/**
 * `document.cookie` on a content host would show the content host's cookies, not the site's: the
 * site's live in the session's jar on the server. The page starts with the jar's script-visible
 * cookies, sees those later responses set, and what it writes goes to the jar (synchronously, as a
 * cookie write must be visible to the very next request). HttpOnly cookies are never exposed.
 */
function emulateDocumentCookie(initial: string): CookieView {
  let view = initial;
  const nativeOpen = XMLHttpRequest.prototype.open;
  const nativeSend = XMLHttpRequest.prototype.send;
  const nativeFetch = globalThis.fetch;
  const endpoint = () => `/__tandem/cookie?page=${encodeURIComponent(location.pathname + location.search)}`;
  const replace = (next: string) => {
    const before = view;
    view = next;
    if (view !== before) cookieView.onChange?.(before, view);
  };
  const cookieView: CookieView = {
    read: () => view,
    async write(line) {
      const response = await nativeFetch(endpoint(), { method: 'POST', body: line });
      if (response.ok) replace(await response.text());
    },
    update(header) {
      if (header !== null) replace(decodeURIComponent(header));
    },
  };
  Object.defineProperty(document, 'cookie', {
    configurable: true,
    get: () => view,
    set(value: unknown) {
      const xhr = new XMLHttpRequest();
      nativeOpen.call(xhr, 'POST', endpoint(), false);
      try {
        nativeSend.call(xhr, String(value));
        if (xhr.status === 200) replace(xhr.responseText);
      } catch {
        // The page goes on as a browser that refused the cookie would.
      }
    },
  });
  return cookieView;
}

interface CookieItem {
  name: string;
  value: string;
}

function parseCookieView(view: string): CookieItem[] {
  if (view === '') return [];
  return view.split('; ').map((pair) => {
    const equals = pair.indexOf('=');
    // document.cookie shows a cookie without a name as its bare value.
    return equals === -1
      ? { name: '', value: pair }
      : { name: pair.slice(0, equals), value: pair.slice(equals + 1) };
  });
}

/** What a cookie's name (or value) may not hold: control characters and its separators. */
function invalidCookieText(text: string, separators: string): boolean {
  for (const char of text) if (char < ' ' || char === '\x7f' || separators.includes(char)) return true;
  return false;
}

type CookieOptions = {
  name?: string;
  value?: string;
  expires?: number | null;
  domain?: string | null;
  path?: string;
  sameSite?: string;
};

/**
 * `cookieStore` reads and writes the same view as `document.cookie`: the site's script-visible
 * cookies in the session's jar, never HttpOnly ones. Items carry only a name and a value, as
 * document.cookie does; the jar keeps the rest. `change` events report what the view gained or lost.
 */
function emulateCookieStore(view: CookieView, secure: boolean): void {
  const store = (globalThis as { cookieStore?: EventTarget }).cookieStore;
  if (!store) return;
  const nameOf = (query: unknown): string | undefined =>
    typeof query === 'string' ? query : (query as CookieOptions | undefined)?.name;
  const getAll = async (query?: unknown): Promise<CookieItem[]> => {
    const name = nameOf(query);
    return parseCookieView(view.read()).filter((c) => name === undefined || c.name === name);
  };
  // Async, so that bad options (null, say) reject the promise as the native methods do, not throw.
  const write = async (options: CookieOptions): Promise<void> => {
    const { name = '', value = '', expires, domain, path = '/', sameSite = 'strict' } = options;
    if (invalidCookieText(name, '=;') || invalidCookieText(value, ';') || (!name && !value)) {
      throw new TypeError('Invalid cookie name or value.');
    }
    let line = `${name ? `${name}=` : ''}${value}; Path=${path}; SameSite=${sameSite}`;
    if (domain) line += `; Domain=${domain}`;
    if (typeof expires === 'number') line += `; Expires=${new Date(expires).toUTCString()}`;
    return view.write(secure ? `${line}; Secure` : line);
  };
  const methods = {
    get: async (query?: unknown) => (await getAll(query))[0] ?? null,
    getAll,
    set: (nameOrOptions: string | CookieOptions, value?: string) =>
      write(typeof nameOrOptions === 'string' ? { name: nameOrOptions, value } : nameOrOptions),
    delete: (query: string | CookieOptions) =>
      write({ ...(typeof query === 'string' ? { name: query } : query), value: '', expires: 0 }),
  };
  for (const [name, value] of Object.entries(methods)) {
    Object.defineProperty(store, name, { value, configurable: true, writable: true });
  }
  const ChangeEvent = (globalThis as { CookieChangeEvent?: new (type: string, init: object) => Event })
    .CookieChangeEvent;
  if (!ChangeEvent) return;
  view.onChange = (before, after) => {
    const was = parseCookieView(before);
    const now = parseCookieView(after);
    const changed = now.filter((c) => !was.some((w) => w.name === c.name && w.value === c.value));
    const deleted = was.filter((w) => !now.some((c) => c.name === w.name)).map(({ name }) => ({ name }));
    store.dispatchEvent(new ChangeEvent('change', { changed, deleted }));
  };
}

function requestInit(r: Request, body: Blob): RequestInit {
  return {
    method: r.method,
    headers: r.headers,
    body,
    mode: r.mode === 'navigate' ? 'same-origin' : r.mode,
    credentials: r.credentials,
    cache: r.cache,
    redirect: r.redirect,
    referrer: r.referrer,
    referrerPolicy: r.referrerPolicy,
    integrity: r.integrity,
    keepalive: r.keepalive,
    signal: r.signal,
  };
}

function refuseServiceWorkers(): void {
  const container = navigator.serviceWorker as ServiceWorkerContainer | undefined;
  if (!container) return;
  const refuse = () =>
    Promise.reject(new DOMException('Service workers are not available inside Tandem.', 'SecurityError'));
  Object.defineProperty(container, 'register', { value: refuse, configurable: true, writable: true });
}

/** Replaces a global constructor with a subclass that maps its URL argument. */
function wrapConstructor(
  name: 'WebSocket' | 'EventSource' | 'Worker' | 'SharedWorker',
  map: (u: string | URL) => string,
) {
  const Native = (globalThis as unknown as Record<string, (new (...a: unknown[]) => object) | undefined>)[
    name
  ];
  if (!Native) return;
  const Mapped = class extends Native {
    constructor(url: string | URL, ...rest: unknown[]) {
      super(map(url), ...rest);
    }
  };
  Object.defineProperty(Mapped, 'name', { value: name });
  Object.defineProperty(globalThis, name, { value: Mapped, configurable: true, writable: true });
}

function mapElementUrls(map: (u: string | URL) => string): void {
  const win = window as unknown as Record<string, { prototype: object } | undefined>;
  for (const [type, property] of URL_PROPERTIES) {
    const proto = win[type]?.prototype;
    const descriptor = proto && Object.getOwnPropertyDescriptor(proto, property);
    if (!proto || !descriptor?.set || !descriptor.get) continue;
    const { get, set } = descriptor;
    Object.defineProperty(proto, property, {
      ...descriptor,
      get,
      set(this: Element, value: unknown) {
        set.call(this, typeof value === 'string' && value !== '' ? map(value) : value);
      },
    });
  }
  const nativeSetAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (this: Element, name: string, value: unknown) {
    // Only strings: a Trusted Types value must reach the browser as the object it is.
    const mapped =
      typeof value === 'string' && value && isUrlAttribute(this, name.toLowerCase()) ? map(value) : value;
    return nativeSetAttribute.call(this, name, mapped as string);
  };
  mapInsertedMarkup(map, nativeSetAttribute);
  // Markup that still arrives unmapped (document.write, outerHTML, nodes adopted from a DOMParser)
  // is mapped once the nodes are in; the proxy's policy has blocked the first load.
  new MutationObserver((records) => {
    for (const r of records) {
      for (const node of r.addedNodes) if (node instanceof Element) fixTree(node, map, nativeSetAttribute);
    }
  }).observe(document, { childList: true, subtree: true });
}

/** Elements whose content is text, where markup is not parsed. */
const RAW_TEXT = new Set([
  'script',
  'style',
  'textarea',
  'title',
  'xmp',
  'iframe',
  'noembed',
  'noframes',
  'noscript',
]);

/**
 * Markup set as text is parsed into an inert template first, its URLs mapped there, and only then
 * moved into the page: the browser never starts a load from an unmapped address.
 */
function mapInsertedMarkup(map: (u: string | URL) => string, setAttribute: Element['setAttribute']): void {
  const inner = Object.getOwnPropertyDescriptor(Element.prototype, 'innerHTML');
  if (!inner?.set || !inner.get) return;
  const setInner = inner.set;
  const parse = (html: string) => {
    const template = document.createElement('template');
    setInner.call(template, html);
    for (const el of template.content.children) fixTree(el, map, setAttribute);
    return template.content;
  };
  const applies = (el: Element, html: unknown): html is string =>
    typeof html === 'string' &&
    html.includes('//') &&
    el instanceof HTMLElement &&
    !(el instanceof HTMLTemplateElement) &&
    !RAW_TEXT.has(el.localName);
  Object.defineProperty(Element.prototype, 'innerHTML', {
    ...inner,
    set(this: Element, html: unknown) {
      if (applies(this, html)) this.replaceChildren(parse(html));
      else setInner.call(this, html);
    },
  });
  const nativeInsert = Element.prototype.insertAdjacentHTML;
  const places: Record<string, (el: Element, f: DocumentFragment) => void> = {
    beforebegin: (el, f) => el.before(f),
    afterbegin: (el, f) => el.prepend(f),
    beforeend: (el, f) => el.append(f),
    afterend: (el, f) => el.after(f),
  };
  Element.prototype.insertAdjacentHTML = function (this: Element, where: InsertPosition, html: string) {
    const place = places[String(where).toLowerCase()];
    // Markup placed beside the element is parsed as its parent's content.
    const context = /^(beforebegin|afterend)$/i.test(where) ? this.parentElement : this;
    if (!place || !context || !applies(context, html)) return nativeInsert.call(this, where, html);
    place(this, parse(html));
  };
}

function fixTree(
  root: Element,
  map: (u: string | URL) => string,
  setAttribute: Element['setAttribute'],
): void {
  const elements = [
    root,
    ...root.querySelectorAll('[src],[href],[action],[formaction],object[data],[poster]'),
  ];
  for (const el of elements) {
    for (const name of URL_ATTRIBUTES) {
      if (!isUrlAttribute(el, name)) continue;
      const value = el.getAttribute(name);
      if (!value || value.startsWith('#')) continue;
      const mapped = map(value);
      if (mapped !== value) setAttribute.call(el, name, mapped);
    }
  }
}

/** `data` names a URL only on `<object>`; SVG's `href` is left to the recorder's own handling. */
function isUrlAttribute(el: Element, name: string): boolean {
  if (!URL_ATTRIBUTES.has(name) || !(el instanceof HTMLElement)) return false;
  return name !== 'data' || el instanceof HTMLObjectElement;
}

/** What a submitter's attributes override on its form, as `form<attribute>`. */
const SUBMITTER_OVERRIDES = ['action', 'method', 'enctype', 'target'];

/**
 * A form whose action a script set before the shims saw it is mapped as it is submitted. A form
 * that posts to another content host the browser has not entered would be refused there (a POST
 * cannot be bounced): once the page's own handlers have let it go, the submission waits for the
 * host to be entered (see hostEntry) and is then made again, as the submitter would have made it.
 */
function mapFormSubmission(
  map: (u: string | URL) => string,
  enter: (url: string) => Promise<void> | null,
): void {
  const fix = (form: HTMLFormElement, submitter?: Element | null) => {
    const action = form.getAttribute('action');
    if (action) form.action = map(action);
    const formAction = submitter?.getAttribute('formaction');
    if (formAction && (submitter instanceof HTMLButtonElement || submitter instanceof HTMLInputElement)) {
      submitter.formAction = map(formAction);
    }
  };
  addEventListener('submit', (e) => fix(e.target as HTMLFormElement, e.submitter), true);
  const nativeSubmit = HTMLFormElement.prototype.submit;
  addEventListener('submit', (e) => {
    const form = e.target as HTMLFormElement;
    const { submitter } = e;
    const by =
      submitter instanceof HTMLButtonElement || submitter instanceof HTMLInputElement ? submitter : null;
    const method = by?.hasAttribute('formmethod') ? by.formMethod : form.method;
    if (e.defaultPrevented || method !== 'post') return;
    const entry = enter(by?.hasAttribute('formaction') ? by.formAction : form.action);
    if (!entry) return;
    e.preventDefault();
    void entry.then(() => submitAs(form, by));
  });
  /** Submits the form as `submitter` would have, without a submit event (the page has had it). */
  const submitAs = (form: HTMLFormElement, submitter: HTMLButtonElement | HTMLInputElement | null) => {
    const restore: (() => void)[] = [];
    for (const name of SUBMITTER_OVERRIDES) {
      const value = submitter?.getAttribute(`form${name}`);
      if (value === null || value === undefined) continue;
      const before = form.getAttribute(name);
      form.setAttribute(name, value);
      restore.push(() => (before === null ? form.removeAttribute(name) : form.setAttribute(name, before)));
    }
    if (submitter?.name) {
      const field = Object.assign(document.createElement('input'), {
        type: 'hidden',
        name: submitter.name,
        value: submitter.value,
      });
      form.append(field);
      restore.push(() => field.remove());
    }
    nativeSubmit.call(form);
    for (const undo of restore) undo();
  };
  HTMLFormElement.prototype.submit = function (this: HTMLFormElement) {
    fix(this);
    const entry = this.method === 'post' ? enter(this.action) : null;
    if (entry) void entry.then(() => nativeSubmit.call(this));
    else nativeSubmit.call(this);
  };
}

interface NavigateEvent extends Event {
  readonly cancelable: boolean;
  readonly destination: { url: string };
  readonly navigationType: string;
  readonly formData: FormData | null;
}

/**
 * `location.href = …`, `location.assign()` and the like cannot be intercepted in script (Location is
 * unforgeable), but the Navigation API announces them: a navigation that would leave the content
 * hosts is cancelled and made again to the mapped address. Browsers without it (Firefox before
 * 147, Safari before 26) leave the proxy on such navigations.
 */
function mapNavigations(map: (u: string | URL) => string, contentSuffix: string): void {
  const navigation = (
    window as unknown as { navigation?: EventTarget & { navigate(url: string, o?: object): unknown } }
  ).navigation;
  if (!navigation) return;
  navigation.addEventListener('navigate', (event) => {
    const e = event as NavigateEvent;
    const url = e.destination.url;
    const mapped = map(url);
    if (mapped === url || !e.cancelable || e.formData) return;
    const host = new URL(mapped).hostname;
    if (!host.endsWith(contentSuffix)) return;
    e.preventDefault();
    navigation.navigate(mapped, { history: e.navigationType === 'replace' ? 'replace' : 'auto' });
  });
}
