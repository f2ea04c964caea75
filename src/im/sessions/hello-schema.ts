import { z } from 'zod';
import { DEVICE_KINDS } from '../../protocol/im/session.ts';

/** Limits of what a hello may carry; the services check the finer rules. */
export const HELLO_LIMITS = { login: 320, password: 1024, token: 128, deviceName: 100 } as const;

export const deviceSchema = z.object({
  kind: z.enum(DEVICE_KINDS),
  name: z.string().trim().min(1).max(HELLO_LIMITS.deviceName),
});

export const helloSchema = z
  .object({
    t: z.literal('hello'),
    id: z.number().int().nonnegative().optional(),
    auth: z.discriminatedUnion('kind', [
      z.object({
        kind: z.literal('password'),
        login: z.string().trim().min(1).max(HELLO_LIMITS.login),
        password: z.string().min(1).max(HELLO_LIMITS.password),
      }),
      z.object({ kind: z.literal('resume'), token: z.string().min(1).max(HELLO_LIMITS.token) }),
    ]),
    device: deviceSchema.optional(),
    remember: z.boolean().optional(),
  })
  .refine((hello) => hello.auth.kind !== 'password' || hello.device !== undefined, {
    message: 'a password login must describe its device: {kind, name}',
    path: ['device'],
  });

export type HelloFrame = z.output<typeof helloSchema>;
