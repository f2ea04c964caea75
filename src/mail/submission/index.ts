import type { MailModule } from '../mail-system.ts';
import { startSubmissionListener } from './submission-listener.ts';

/** Submission: `submission` (587, STARTTLS) and `submissions` (465, TLS), AUTH required. */
export const submissionModule: MailModule = {
  listeners: {
    submission: (context, address) => startSubmissionListener(context, address, 'starttls'),
    submissions: (context, address) => startSubmissionListener(context, address, 'implicit'),
  },
};
