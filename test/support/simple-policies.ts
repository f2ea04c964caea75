import type { VisibilityPolicy } from '../../src/im/types.ts';

/** Everyone sees and messages everyone: for tests whose subject is not visibility. */
export const allowAll: VisibilityPolicy = {
  canSee: async () => true,
  canMessage: async () => true,
  visibleAmong: async (_viewer, targets) => new Set(targets),
  messageableAmong: async (_sender, targets) => new Set(targets),
};

/**
 * Hides some people (and optionally org units) from one viewer, and only
 * from that viewer, so a test can prove an entry point asks the policy.
 * Counts the questions asked.
 */
export function hideFrom(
  viewerId: number,
  hidden: readonly number[],
  hiddenUnits: readonly number[] = [],
): VisibilityPolicy & { asked: number; hiddenUnitsFor(viewer: number): Promise<ReadonlySet<number>> } {
  const hiddenSet = new Set(hidden);
  const visible = (viewer: number, target: number) => viewer !== viewerId || !hiddenSet.has(target);
  const policy = {
    asked: 0,
    canSee: async (viewer: number, target: number) => {
      policy.asked++;
      return visible(viewer, target);
    },
    canMessage: async (viewer: number, target: number) => {
      policy.asked++;
      return visible(viewer, target);
    },
    visibleAmong: async (viewer: number, targets: readonly number[]) => {
      policy.asked++;
      return new Set(targets.filter((target) => visible(viewer, target)));
    },
    messageableAmong: async (viewer: number, targets: readonly number[]) => {
      policy.asked++;
      return new Set(targets.filter((target) => visible(viewer, target)));
    },
    hiddenUnitsFor: async (viewer: number): Promise<ReadonlySet<number>> => {
      policy.asked++;
      return new Set(viewer === viewerId ? hiddenUnits : []);
    },
  };
  return policy;
}
