/** Runs the CLI in this process: the entry point of `bin/netfence`. */
import { run } from './main.ts';
import type { Io } from './io.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function writeStdout(chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    if (!process.stdout.write(chunk)) await drainedOrClosed(process.stdout);
  }
}

/** Waits until a stream can take more, or is closed (a closed pipe reports EPIPE on the next write). */
function drainedOrClosed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}

const io: Io = {
  stdout: (text) => process.stdout.write(text),
  writeStdout,
  stderr: (text) => process.stderr.write(text),
  readStdin,
  stdinStream: () => process.stdin,
  isTTY: process.stderr.isTTY,
  env: process.env,
};

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  // `netfence analyze … | head` closes the pipe early: not an error.
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const code = await run(process.argv.slice(2), io);
process.exitCode = code;
