import type { groupMessages } from './group-messages.ts';
import type { GroupNameProblem } from './group-model.ts';
import { ErrorNote, StatusNote } from './ui.tsx';

/** What the groups screens share: how a change reports, and the words for a bad name. */

/** Changes made on the groups screens report in the section's status line and bump `version`. */
export interface GroupActions {
  run: (work: () => Promise<string>) => Promise<boolean>;
  /** Reports a change made without `run` (a dialog that shows its own errors). */
  done: (message: string) => void;
  /** Bumped after every change: lists reload on it. */
  version: number;
  status: string | null;
  error: unknown;
}

type GroupKey = keyof (typeof groupMessages)['en'];

export const GROUP_NAME_PROBLEMS: Record<GroupNameProblem, GroupKey> = {
  empty: 'problemEmpty',
  'too-long': 'problemTooLong',
  characters: 'problemCharacters',
  exists: 'problemExists',
};

/** The section's error and status line, under its heading. */
export function SectionNotes({ actions, error }: { actions: GroupActions; error?: unknown }) {
  return (
    <>
      <ErrorNote error={actions.error ?? error} />
      <StatusNote text={actions.status} />
    </>
  );
}
