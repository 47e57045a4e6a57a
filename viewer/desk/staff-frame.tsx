import type { ComponentChildren } from 'preact';
import { logout, type Me } from './api.js';
import type { StaffPage } from './config.js';

const LINKS: Array<{ page: StaffPage; label: string; roles: Array<Me['user']['role']> }> = [
  { page: 'agent', label: 'Agent console', roles: ['agent'] },
  { page: 'supervisor', label: 'Supervisor', roles: ['supervisor', 'admin'] },
  { page: 'admin', label: 'Administration', roles: ['admin'] },
];

/** The header every staff screen shares: the company, the screens this role may use, sign-out. */
export function StaffFrame(props: { me: Me; page: StaffPage; title: string; children: ComponentChildren }) {
  const links = LINKS.filter((l) => l.roles.includes(props.me.user.role));
  return (
    <div class="desk">
      <header class="desk-head">
        <h1>
          {props.title} · {props.me.tenant.name}
        </h1>
        {links.length > 1 && (
          <nav aria-label="Desk screens">
            {links.map((l) => (
              <a
                key={l.page}
                href={`/desk/${l.page}`}
                aria-current={l.page === props.page ? 'page' : undefined}
              >
                {l.label}
              </a>
            ))}
          </nav>
        )}
        <span class="who">{props.me.user.name}</span>
        <button
          type="button"
          data-testid="desk-signout"
          onClick={() => {
            void logout().finally(() => location.assign('/desk'));
          }}
        >
          Sign out
        </button>
      </header>
      <main>{props.children}</main>
    </div>
  );
}
