/**
 * Which fields are private, decided the same way in the owner's browser (which masks them before
 * anything leaves it) and on the server (which checks the recording again). No dependencies, so the
 * runtime can include it.
 */
export const MASK = '••••••••';
export const PRIVATE_ATTRIBUTE = 'data-tandem-private';

/** Payment, one-time-code and password autocomplete tokens mark a field private whatever its type. */
const PRIVATE_AUTOCOMPLETE =
  /\b(cc-number|cc-csc|cc-exp(-month|-year)?|one-time-code|current-password|new-password)\b/i;

/** Whether an element with these attributes is private in itself (ancestors are the caller's concern). */
export function isPrivateElement(tagName: string, attributes: Record<string, unknown>): boolean {
  if (PRIVATE_ATTRIBUTE in attributes) return true;
  const type = typeof attributes.type === 'string' ? attributes.type.toLowerCase() : '';
  if (tagName.toLowerCase() === 'input' && type === 'password') return true;
  return typeof attributes.autocomplete === 'string' && PRIVATE_AUTOCOMPLETE.test(attributes.autocomplete);
}

/** A value that may stand for a private field: empty, or the mask. */
export const isMaskedValue = (value: unknown) => value === undefined || value === '' || value === MASK;
