import { MAX_CHAT_LENGTH } from '../session/limits.js';

/** A saved reply to insert into the chat, or a saved page to lead everyone to. */
export interface Macro {
  kind: 'text' | 'url';
  value: string;
}

const KEY = 'tandem.macros.v1';
const MAX_MACROS = 30;
const MAX_URL_LENGTH = 2048;

export const DEFAULT_MACROS: readonly Macro[] = [
  { kind: 'text', value: 'Hi! I’m here to help. I can see the page you are on.' },
  { kind: 'text', value: 'One moment please, I’m looking into it.' },
  { kind: 'text', value: 'Could you click “Allow” so I can show you where it is?' },
  { kind: 'text', value: 'Is there anything else I can help you with?' },
];

/** Reads what this browser saved, keeping only well-formed entries; the defaults when nothing is saved. */
export function loadMacros(storage: Pick<Storage, 'getItem'>): Macro[] {
  let raw: unknown;
  try {
    const text = storage.getItem(KEY);
    if (text === null) return [...DEFAULT_MACROS];
    raw = JSON.parse(text);
  } catch {
    return [...DEFAULT_MACROS];
  }
  if (!Array.isArray(raw)) return [...DEFAULT_MACROS];
  return raw.filter(isMacro).slice(0, MAX_MACROS);
}

export function saveMacros(storage: Pick<Storage, 'setItem'>, macros: readonly Macro[]): void {
  storage.setItem(KEY, JSON.stringify(macros.slice(0, MAX_MACROS)));
}

/** Adds a macro unless the same one is already there; the list is capped, oldest kept. */
export function addMacro(macros: readonly Macro[], macro: Macro): Macro[] {
  const value = macro.value.trim();
  if (!isMacro({ kind: macro.kind, value })) return [...macros];
  if (macros.some((m) => m.kind === macro.kind && m.value === value)) return [...macros];
  return [...macros, { kind: macro.kind, value }].slice(0, MAX_MACROS);
}

function isMacro(m: unknown): m is Macro {
  if (typeof m !== 'object' || m === null) return false;
  const { kind, value } = m as Record<string, unknown>;
  if (typeof value !== 'string' || value.trim() === '') return false;
  if (kind === 'text') return value.length <= MAX_CHAT_LENGTH;
  if (kind !== 'url' || value.length > MAX_URL_LENGTH) return false;
  return /^https?:\/\//i.test(value);
}
