import { CooError } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';

/**
 * The password for --password-stdin. From a pipe: the first line, as is but
 * for its line ending (so `echo "$PW" | coo ...` and a file both work). From a
 * terminal: asked for twice without echo.
 */
export async function readPassword(stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  const password = stdin.isTTY ? await promptTwice(stdin) : firstLine(await readAll(stdin));
  if (password === '') throw new CooError(ErrorCode.INVALID_INPUT, 'no password on standard input');
  return password;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function firstLine(text: string): string {
  const end = text.search(/\r?\n/);
  return end < 0 ? text : text.slice(0, end);
}

async function promptTwice(stdin: NodeJS.ReadStream): Promise<string> {
  const first = await promptHidden(stdin, 'Password: ');
  const second = await promptHidden(stdin, 'Again: ');
  if (first !== second) throw new CooError(ErrorCode.INVALID_INPUT, 'the two passwords differ');
  return first;
}

/** Reads one line from the terminal in raw mode, echoing nothing. */
function promptHidden(stdin: NodeJS.ReadStream, prompt: string): Promise<string> {
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new CooError(ErrorCode.INVALID_INPUT, 'cancelled'));
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += char;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
