/** Runs the CLI in this process: the entry point of `bin/netfence`. */
import { run } from './main.ts';
import { firstOf, type Io } from './io.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function writeStdout(chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    // Wait for the reader; when it has closed the pipe, the next write reports EPIPE (handled below).
    if (!process.stdout.write(chunk)) await firstOf(process.stdout, ['drain', 'close']);
  }
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
