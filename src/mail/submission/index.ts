import type { MailModule } from '../mail-system.ts';

/** Submission: `submission` (587, STARTTLS) and `submissions` (465, TLS), AUTH required. */
export const submissionModule: MailModule = {};
