/** What the server put into the page (see server/pages.ts). */
export interface ViewerConfig {
  contentDomain: string;
  demoUrl: string | null;
  session?: string;
  startUrl?: string | null;
  /** Whether chat lines can be translated (the operator configured a service). */
  translation?: boolean;
}

export function readConfig(): ViewerConfig {
  const el = document.getElementById('tandem-config');
  return JSON.parse(el?.textContent ?? '{}') as ViewerConfig;
}
