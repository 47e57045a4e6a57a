import { z } from 'zod';
import { settingsSchema } from './settings.js';

export const emailInput = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email('an email address like name@company.example').max(254));
const password = z
  .string()
  .min(10, 'a password of at least 10 characters')
  .max(200, 'a password of at most 200 characters');
const personName = z.string().trim().min(1, 'a name is needed').max(80);
const role = z.enum(['admin', 'supervisor', 'agent']);
const skills = z
  .array(
    z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/i, 'a skill is a short word: letters, digits and dashes'),
  )
  .max(20)
  .transform((list) => [...new Set(list.map((s) => s.toLowerCase()))]);
const maxSessions = z.number().int().min(1).max(20);
const totpCode = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'the 6-digit code from your authenticator app');

export const signUpInput = z.strictObject({
  company: z.string().trim().min(1, 'the company name is needed').max(80),
  name: personName,
  email: emailInput,
  password,
});
export type SignUpInput = z.infer<typeof signUpInput>;

export const loginInput = z.strictObject({
  email: emailInput,
  password: z.string().min(1, 'enter your password').max(200),
  totp: totpCode.optional(),
});

export const newUserInput = z.strictObject({
  name: personName,
  email: emailInput,
  password,
  role,
  skills: skills.default([]),
  maxSessions: maxSessions.default(1),
});
export type NewUserInput = z.infer<typeof newUserInput>;

export const userChangeInput = z.strictObject({
  name: personName.optional(),
  email: emailInput.optional(),
  password: password.optional(),
  role: role.optional(),
  skills: skills.optional(),
  maxSessions: maxSessions.optional(),
  disabled: z.boolean().optional(),
  /** Only `false`: an admin removes a lost authenticator; enrolling is the user's own step. */
  totp: z.literal(false).optional(),
});
export type UserChangeInput = z.infer<typeof userChangeInput>;

export const settingsInput = z.strictObject({
  settings: settingsSchema,
  /** The version the admin edited; a save on top of a newer one is refused rather than lost. */
  basedOn: z.number().int().min(0).optional(),
});

export const totpConfirmInput = z.strictObject({ code: totpCode });
