/** One top-level command of `coo` (a group such as `user`, or a single command such as `init`). */
export interface Command {
  /** The text of `coo NAME --help`. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

/**
 * An entry of `coo help`. The command itself is loaded only when it runs:
 * `coo user list` need not load the HTTP server, which would cost more than
 * the command.
 */
export interface CommandEntry {
  name: string;
  /** One line for `coo help`. */
  summary: string;
  load(): Promise<Command>;
}
