/** What the server put into a desk page (server/desk-pages.ts; `/help/<key>` for the wait page). */
export type StaffPage = 'agent' | 'supervisor' | 'admin';

export interface WaitConfig {
  page: 'wait';
  /** The tenant's public key from the link or button. */
  key: string;
  /** The page the visitor clicked "Get help" on; the session starts there. */
  from: string;
  skill: string | null;
  /** `collaboration` (the link's `scenario=`): the visitor signs in to the company's desk first. */
  scenario: 'support' | 'collaboration';
  /** The company's name, to greet the visitor. */
  company: string | null;
  /** A request the server already created (the form posted without JavaScript). */
  request: { id: string; requestKey: string } | null;
}

export type DeskConfig = { page: 'sign-in' } | { page: StaffPage } | WaitConfig;

export function readConfig(): DeskConfig {
  const el = document.getElementById('tandem-config');
  return JSON.parse(el?.textContent ?? '{"page":"sign-in"}') as DeskConfig;
}

/** Where each role starts after signing in. */
export const HOME: Record<'admin' | 'supervisor' | 'agent', string> = {
  admin: '/desk/admin',
  supervisor: '/desk/supervisor',
  agent: '/desk/agent',
};
