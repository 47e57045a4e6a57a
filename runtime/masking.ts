import { isPrivateElement, MASK, PRIVATE_ATTRIBUTE } from '../session/privacy.js';

export { PRIVATE_ATTRIBUTE };

function attributesOf(el: Element): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of el.attributes) out[a.name] = a.value;
  return out;
}

/** Private when the element itself is, or sits inside an element marked private. */
export function isPrivateField(el: HTMLElement | null): boolean {
  if (!el) return false;
  if (el instanceof HTMLInputElement && el.type.toLowerCase() === 'password') return true;
  return isPrivateElement(el.tagName, attributesOf(el)) || el.closest(`[${PRIVATE_ATTRIBUTE}]`) !== null;
}

/**
 * rrweb asks this for every input value it records (all input kinds are routed through it): values
 * of private fields are replaced here, in the owner's browser, before the event exists anywhere.
 */
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
