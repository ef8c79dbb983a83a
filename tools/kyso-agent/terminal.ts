import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';

/**
 * The agent's own terminal: where the person approves signatures and types the token PIN.
 * A hidden question mutes readline's echo (so the PIN is never shown or left in scrollback).
 */
export const openTerminal = () => {
  const interactive = Boolean(process.stdin.isTTY);
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = interactive ? createInterface({ input: process.stdin, output, terminal: true }) : undefined;
  const ask = async (question: string): Promise<string> => (rl ? rl.question(question) : '');
  const askHidden = async (question: string): Promise<string> => {
    if (!rl) return '';
    process.stderr.write(question);
    muted = true;
    try {
      return await rl.question('');
    } finally {
      muted = false;
      process.stderr.write('\n');
    }
  };
  /** The first line of standard input when it is a pipe (automation), read once. */
  let first: Promise<string> | undefined;
  const firstLine = (): Promise<string> => {
    first ??= new Promise<string>((resolve) => {
      if (interactive) return resolve('');
      let text = '';
      const onData = (d: Buffer) => {
        text += d.toString('utf8');
        if (text.includes('\n')) finish();
      };
      const finish = () => {
        process.stdin.off('data', onData);
        process.stdin.off('end', finish);
        process.stdin.pause();
        resolve(text.split(/\r?\n/)[0] ?? '');
      };
      process.stdin.on('data', onData);
      process.stdin.once('end', finish);
    });
    return first;
  };
  return { interactive, ask, askHidden, firstLine };
};
