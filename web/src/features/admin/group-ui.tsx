import { useId } from 'react';
import { useT } from '../../lib/i18n.ts';
import { groupMessages } from './group-messages.ts';
import { MAX_GROUP_DESCRIPTION, MAX_GROUP_NAME, type GroupNameProblem } from './group-model.ts';
import { ErrorNote, StatusNote, type AdminAction } from './ui.tsx';

/** What the groups screens share: how a change reports, and the name and description fields. */

/** Changes made on the groups screens report in the section's status line and bump `version`. */
export interface GroupActions extends AdminAction {
  /** Bumped after every change: lists reload on it. */
  version: number;
}

type GroupKey = keyof (typeof groupMessages)['en'];

const GROUP_NAME_PROBLEMS: Record<GroupNameProblem, GroupKey> = {
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

/** A group's name and description, as the create and the rename forms ask for them. */
export function GroupFields({
  name,
  description,
  problem,
  hint,
  autoFocus,
  onNameChange,
  onNameBlur,
  onDescriptionChange,
}: {
  name: string;
  description: string;
  /** What is wrong with the name, once the form wants it shown; null hides it. */
  problem: GroupNameProblem | null;
  /** A line under the name field, after the problem. */
  hint?: string;
  autoFocus?: boolean;
  onNameChange: (name: string) => void;
  onNameBlur?: () => void;
  onDescriptionChange: (description: string) => void;
}) {
  const t = useT(groupMessages);
  const ids = { hint: useId(), problem: useId() };
  const describedBy = [problem && ids.problem, hint && ids.hint].filter(Boolean).join(' ');
  return (
    <div className="form-grid">
      <label>
        {t('name')}
        <input
          type="text"
          name="group-name"
          value={name}
          autoFocus={autoFocus}
          maxLength={MAX_GROUP_NAME + 20}
          autoComplete="off"
          aria-invalid={problem !== null || undefined}
          aria-describedby={describedBy || undefined}
          onChange={(event) => onNameChange(event.target.value)}
          onBlur={onNameBlur}
        />
        {problem && (
          <span id={ids.problem} className="form-error small" data-problem={problem}>
            {t(GROUP_NAME_PROBLEMS[problem])}
          </span>
        )}
        {hint && (
          <span id={ids.hint} className="muted small">
            {hint}
          </span>
        )}
      </label>
      <label>
        {t('description')}
        <input
          type="text"
          name="group-description"
          value={description}
          maxLength={MAX_GROUP_DESCRIPTION}
          onChange={(event) => onDescriptionChange(event.target.value)}
        />
      </label>
    </div>
  );
}
