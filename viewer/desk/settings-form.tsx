import { useEffect, useState } from 'preact/hooks';
import { FormFooter } from '../form-footer.js';
import {
  ApiError,
  getSettings,
  putSettings,
  type Scenario,
  type ScenarioKind,
  type SettingsVersion,
} from './api.js';
import { ErrorLine, Field } from './field.js';
import { parseList, parseOrigins } from './format.js';
import { useAction } from './use-action.js';

const SCENARIOS: Record<ScenarioKind, string> = {
  support: 'One-to-one support',
  collaboration: 'Collaboration',
  training: 'Training',
  administrative: 'Administrative',
};

/** The form's text boxes for the parts of the settings that are lists. */
interface Drafts {
  origins: string;
  avatars: string;
  masks: Record<ScenarioKind, string>;
}

const draftsOf = (v: SettingsVersion): Drafts => ({
  origins: v.settings.allowedOrigins.join('\n'),
  avatars: v.settings.avatarsByPage.map((a) => `${a.pathPrefix} ${a.avatar}`).join('\n'),
  masks: Object.fromEntries(
    Object.entries(v.settings.scenarios).map(([k, s]) => [k, s.maskSelectors.join(', ')]),
  ) as Record<ScenarioKind, string>,
});

/** The tenant's settings; each save is a new version that applies to sessions created after it. */
export function SettingsForm() {
  const [current, setCurrent] = useState<SettingsVersion | null>(null);
  const [draft, setDraft] = useState<SettingsVersion['settings'] | null>(null);
  const [texts, setTexts] = useState<Drafts | null>(null);
  const [saved, setSaved] = useState(false);
  const load = useAction();
  const save = useAction();

  const show = (v: SettingsVersion) => {
    setCurrent(v);
    setDraft(structuredClone(v.settings));
    setTexts(draftsOf(v));
  };
  useEffect(() => void load.run(async () => show(await getSettings())), []);

  if (!draft || !texts || !current) return load.error ? <ErrorLine error={load.error} /> : <p>Loading…</p>;

  const set = (patch: Partial<typeof draft>) => {
    setDraft({ ...draft, ...patch });
    setSaved(false);
  };
  const setScenario = (kind: ScenarioKind, patch: Partial<Scenario>) =>
    set({ scenarios: { ...draft.scenarios, [kind]: { ...draft.scenarios[kind], ...patch } } });

  const submit = (e: Event) => {
    e.preventDefault();
    const { origins, errors } = parseOrigins(texts.origins);
    if (errors.length) {
      save.setError(errors.join(' '));
      return;
    }
    const avatarsByPage = texts.avatars
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([pathPrefix = '/', avatar = '']) => ({ pathPrefix, avatar }));
    const scenarios = Object.fromEntries(
      Object.entries(draft.scenarios).map(([k, s]) => [
        k,
        { ...s, maskSelectors: parseList(texts.masks[k as ScenarioKind]) },
      ]),
    ) as typeof draft.scenarios;
    void save
      .run(async () => {
        try {
          show(
            await putSettings(
              { ...draft, allowedOrigins: origins, avatarsByPage, scenarios },
              current.version,
            ),
          );
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 'stale')) throw err;
          show(await getSettings());
          throw new Error(
            'Someone saved the settings while you were editing. The form now shows their version; make your changes again.',
          );
        }
      })
      .then(setSaved);
  };

  return (
    <form onSubmit={submit} data-testid="settings-form" noValidate>
      <p data-testid="settings-version">
        {current.version === 0
          ? 'The defaults, never saved.'
          : `Version ${current.version}, saved ${new Date(current.createdAt).toLocaleString()}.`}{' '}
        Changes apply to sessions that start after you save; the brand applies at once.
      </p>
      <Field
        id="origins"
        label="Sites allowed to show the “Get help” button"
        hint="One origin per line, exactly as in the address bar, such as https://shop.example"
      >
        <textarea
          id="origins"
          rows={3}
          value={texts.origins}
          aria-describedby="origins-hint"
          onInput={(e) => {
            setTexts({ ...texts, origins: e.currentTarget.value });
            setSaved(false);
          }}
          data-testid="settings-origins"
        />
      </Field>
      <div class="grid">
        <NumberField
          id="seat-cap"
          label="Sessions at once (seat cap)"
          value={draft.seatCap}
          onChange={(seatCap) => set({ seatCap })}
        />
        <NumberField
          id="wait-target"
          label="Wait target (seconds)"
          value={draft.waitTargetSeconds}
          onChange={(waitTargetSeconds) => set({ waitTargetSeconds })}
        />
        <NumberField
          id="offer-timeout"
          label="Time to accept an offer (seconds)"
          value={draft.offerTimeoutSeconds}
          onChange={(offerTimeoutSeconds) => set({ offerTimeoutSeconds })}
        />
      </div>
      <label class="check">
        <input
          type="checkbox"
          checked={draft.monitorNotice}
          onChange={(e) => set({ monitorNotice: e.currentTarget.checked })}
        />
        Tell visitors their session may be monitored
      </label>

      {(Object.keys(SCENARIOS) as ScenarioKind[]).map((kind) => {
        const s = draft.scenarios[kind];
        return (
          <fieldset key={kind}>
            <legend>{SCENARIOS[kind]}</legend>
            <div class="grid">
              <Field id={`${kind}-leads`} label="Leads first">
                <select
                  id={`${kind}-leads`}
                  value={s.leadsFirst}
                  onChange={(e) =>
                    setScenario(kind, { leadsFirst: e.currentTarget.value as Scenario['leadsFirst'] })
                  }
                >
                  <option value="agent">The agent</option>
                  <option value="visitor">The visitor</option>
                </select>
              </Field>
              <Field id={`${kind}-baton`} label="Who may take control">
                <select
                  id={`${kind}-baton`}
                  value={s.batonPolicy}
                  onChange={(e) =>
                    setScenario(kind, { batonPolicy: e.currentTarget.value as Scenario['batonPolicy'] })
                  }
                >
                  <option value="support">Asks the leader (support)</option>
                  <option value="collaboration">Anyone takes it (collaboration)</option>
                </select>
              </Field>
              <Field
                id={`${kind}-masks`}
                label="Fields hidden from others"
                hint="CSS selectors, comma-separated"
              >
                <input
                  id={`${kind}-masks`}
                  value={texts.masks[kind]}
                  aria-describedby={`${kind}-masks-hint`}
                  onInput={(e) =>
                    setTexts({ ...texts, masks: { ...texts.masks, [kind]: e.currentTarget.value } })
                  }
                />
              </Field>
            </div>
            <label class="check">
              <input
                type="checkbox"
                checked={s.liveTyping}
                onChange={(e) => setScenario(kind, { liveTyping: e.currentTarget.checked })}
              />
              Show chat as it is typed
            </label>
            <label class="check">
              <input
                type="checkbox"
                checked={s.avatars}
                onChange={(e) => setScenario(kind, { avatars: e.currentTarget.checked })}
              />
              Show avatars
            </label>
          </fieldset>
        );
      })}

      <Field
        id="avatars"
        label="Avatar by page"
        hint="One per line: the start of the page’s path, a space, then the avatar’s image address"
      >
        <textarea
          id="avatars"
          rows={3}
          value={texts.avatars}
          aria-describedby="avatars-hint"
          onInput={(e) => setTexts({ ...texts, avatars: e.currentTarget.value })}
        />
      </Field>

      <fieldset>
        <legend>Brand</legend>
        <label class="check">
          <input
            type="checkbox"
            data-testid="brand-on"
            checked={draft.brand !== null}
            onChange={(e) =>
              set({ brand: e.currentTarget.checked ? { name: '', color: '#2f6fed', logoUrl: '' } : null })
            }
          />
          Show my company’s name, colour and logo to visitors
        </label>
        {draft.brand && (
          <div class="grid">
            <Field id="brand-name" label="Name">
              <input
                id="brand-name"
                value={draft.brand.name}
                onInput={(e) =>
                  draft.brand && set({ brand: { ...draft.brand, name: e.currentTarget.value } })
                }
              />
            </Field>
            <Field id="brand-color" label="Colour">
              <input
                id="brand-color"
                type="color"
                value={draft.brand.color}
                onInput={(e) =>
                  draft.brand && set({ brand: { ...draft.brand, color: e.currentTarget.value } })
                }
              />
            </Field>
            <Field id="brand-logo" label="Logo address">
              <input
                id="brand-logo"
                type="url"
                value={draft.brand.logoUrl}
                onInput={(e) =>
                  draft.brand && set({ brand: { ...draft.brand, logoUrl: e.currentTarget.value.trim() } })
                }
              />
            </Field>
          </div>
        )}
      </fieldset>

      <FormFooter
        label="Save as a new version"
        busyLabel="Saving…"
        busy={save.busy}
        testid="settings-save"
        error={save.error}
      />
      {saved && (
        <p role="status" data-testid="settings-saved">
          Saved as version {current.version}.
        </p>
      )}
    </form>
  );
}

function NumberField(props: { id: string; label: string; value: number; onChange: (n: number) => void }) {
  return (
    <Field id={props.id} label={props.label}>
      <input
        id={props.id}
        type="number"
        min={0}
        step={1}
        value={props.value}
        onInput={(e) => props.onChange(e.currentTarget.valueAsNumber || 0)}
      />
    </Field>
  );
}
