import { useEffect, useState } from 'preact/hooks';
import { FormFooter } from '../form-footer.js';
import {
  addUser,
  type DeskUser,
  getUsers,
  type NewUser,
  patchUser,
  type Role,
  type UserChange,
} from './api.js';
import { ErrorLine, Field, TableWrap } from './field.js';
import { parseList } from './format.js';
import { useAction } from './use-action.js';

const ROLES: Record<Role, string> = { agent: 'Agent', supervisor: 'Supervisor', admin: 'Administrator' };
const EMPTY = { name: '', email: '', password: '', role: 'agent' as Role, skills: '', maxSessions: 1 };

/** The tenant's staff: who they are, their role, skill groups and how many sessions they take at once. */
export function Users() {
  const [users, setUsers] = useState<DeskUser[] | null>(null);
  const [form, setForm] = useState(EMPTY);
  const load = useAction();
  const add = useAction();
  const change = useAction();
  const reload = async () => setUsers(await getUsers());
  useEffect(() => void load.run(reload), []);

  const submit = (e: Event) => {
    e.preventDefault();
    const user: NewUser = {
      ...form,
      name: form.name.trim(),
      email: form.email.trim(),
      skills: parseList(form.skills),
    };
    void add.run(async () => {
      await addUser(user);
      setForm(EMPTY);
      await reload();
    });
  };
  const update = (u: DeskUser, patch: UserChange) =>
    void change.run(async () => {
      await patchUser(u.id, patch);
      await reload();
    });

  return (
    <>
      <ErrorLine error={load.error ?? change.error} />
      {users && (
        <TableWrap label="Users">
          <table class="list" data-testid="users">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Skills</th>
                <th scope="col">Sessions at once</th>
                <th scope="col">Two-step</th>
                <th scope="col">Can sign in</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id} data-testid="user-row">
                  <th scope="row">{u.name}</th>
                  <td>{u.email}</td>
                  <td>
                    <select
                      aria-label={`Role of ${u.name}`}
                      value={u.role}
                      disabled={change.busy}
                      onChange={(e) => update(u, { role: e.currentTarget.value as Role })}
                    >
                      {Object.entries(ROLES).map(([r, label]) => (
                        <option key={r} value={r}>
                          {label}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>{u.skills.join(', ') || <span class="empty">any</span>}</td>
                  <td>{u.maxSessions}</td>
                  <td>
                    {u.totp ? (
                      <button
                        type="button"
                        disabled={change.busy}
                        onClick={() => update(u, { totp: false })}
                        aria-label={`Remove two-step sign-in of ${u.name}`}
                      >
                        Remove
                      </button>
                    ) : (
                      'off'
                    )}
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`${u.name} can sign in`}
                      checked={!u.disabled}
                      disabled={change.busy}
                      onChange={(e) => update(u, { disabled: !e.currentTarget.checked })}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <form class="card" onSubmit={submit} data-testid="add-user">
        <h2>Add a person</h2>
        <div class="grid">
          <Field id="new-name" label="Name">
            <input
              id="new-name"
              required
              value={form.name}
              onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
            />
          </Field>
          <Field id="new-email" label="Email">
            <input
              id="new-email"
              type="email"
              required
              value={form.email}
              onInput={(e) => setForm({ ...form, email: e.currentTarget.value })}
            />
          </Field>
          <Field id="new-password" label="First password" hint="They can change it after signing in">
            <input
              id="new-password"
              type="password"
              autocomplete="new-password"
              required
              aria-describedby="new-password-hint"
              value={form.password}
              onInput={(e) => setForm({ ...form, password: e.currentTarget.value })}
            />
          </Field>
          <Field id="new-role" label="Role">
            <select
              id="new-role"
              value={form.role}
              onChange={(e) => setForm({ ...form, role: e.currentTarget.value as Role })}
            >
              {Object.entries(ROLES).map(([r, label]) => (
                <option key={r} value={r}>
                  {label}
                </option>
              ))}
            </select>
          </Field>
          <Field id="new-skills" label="Skill groups" hint="Comma-separated, such as billing, returns">
            <input
              id="new-skills"
              aria-describedby="new-skills-hint"
              value={form.skills}
              onInput={(e) => setForm({ ...form, skills: e.currentTarget.value })}
            />
          </Field>
          <Field id="new-max" label="Sessions at once">
            <input
              id="new-max"
              type="number"
              min={1}
              value={form.maxSessions}
              onInput={(e) => setForm({ ...form, maxSessions: e.currentTarget.valueAsNumber || 1 })}
            />
          </Field>
        </div>
        <FormFooter
          label="Add"
          busyLabel="Adding…"
          busy={add.busy}
          testid="add-user-submit"
          error={add.error}
        />
      </form>
    </>
  );
}
