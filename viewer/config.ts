/** What the server put into the page (see server/pages.ts). */
export interface ViewerConfig {
  contentDomain: string;
  demoUrl: string | null;
  session?: string;
  startUrl?: string | null;
  /** Whether chat lines can be translated (the operator configured a service). */
  translation?: boolean;
  /** The customer company's look, when it chose one. */
  brand?: { name: string; colour: string; logo: string | null } | null;
}

export function readConfig(): ViewerConfig {
  const el = document.getElementById('tandem-config');
  return JSON.parse(el?.textContent ?? '{}') as ViewerConfig;
}
