/**
 * Which fields are private: their values are replaced in the owner's browser, before rrweb hands an
 * event to anything, so the clear text never leaves it.
 */
export const MASK = '••••••••';
export const PRIVATE_ATTRIBUTE = 'data-tandem-private';

const PRIVATE_AUTOCOMPLETE =
  /\b(cc-number|cc-csc|cc-exp(-month|-year)?|one-time-code|current-password|new-password)\b/i;

export function isPrivateField(el: HTMLElement | null): boolean {
  if (!el) return false;
  if (el instanceof HTMLInputElement && el.type.toLowerCase() === 'password') return true;
  if (PRIVATE_AUTOCOMPLETE.test(el.getAttribute('autocomplete') ?? '')) return true;
  return el.closest(`[${PRIVATE_ATTRIBUTE}]`) !== null;
}

/** rrweb asks this for every input value it records (all input kinds are routed through it). */
export const maskInput = (text: string, el: HTMLElement) => (isPrivateField(el) ? (text ? MASK : '') : text);

/** Every kind of field goes through maskInput, which decides per element. */
export const maskAllKinds = {
  color: true,
  date: true,
  'datetime-local': true,
  email: true,
  month: true,
  number: true,
  range: true,
  search: true,
  tel: true,
  text: true,
  time: true,
  url: true,
  week: true,
  textarea: true,
  select: true,
  password: true,
};
