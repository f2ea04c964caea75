import { CLI_ACTOR } from '../../directory/types.ts';
import { parseCommand, positional } from '../args.ts';
import { print } from '../output.ts';
import { withServices } from '../with-services.ts';

/** `coo org hide PATH` and `coo org unhide PATH`: a hidden unit's members are invisible outside it. */
export function orgHideCommand(hidden: boolean) {
  return async (args: string[]): Promise<number> => {
    const { values, positionals } = parseCommand({
      topic: 'org',
      command: hidden ? 'org hide' : 'org unhide',
      args,
      options: {},
      positionals: ['PATH'],
    });
    const result = await withServices(values.data, (services) =>
      hidden
        ? services.visibility.admin.hide(positional(positionals, 0), CLI_ACTOR)
        : services.visibility.admin.unhide(positional(positionals, 0), CLI_ACTOR),
    );
    if (hidden) {
      print(
        result.changed
          ? `hid org unit ${result.path}: its members are invisible outside it, except to administrators`
          : `org unit ${result.path} is already hidden`,
      );
    } else {
      print(
        result.changed
          ? `org unit ${result.path} is visible again`
          : `org unit ${result.path} was not hidden`,
      );
    }
    return 0;
  };
}
