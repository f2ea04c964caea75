/** The client went away while we were writing or waiting; nothing is left to answer. */
export class ConnectionClosedError extends Error {
  constructor() {
    super('the connection is closed');
    this.name = 'ConnectionClosedError';
  }
}
