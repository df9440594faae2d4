/**
 * A kubeconfig user whose credentials cannot be had: a credential plugin (`exec`, as EKS, GKE and AKS
 * kubeconfigs use) that is not installed, that fails, or that prints no ExecCredential; a client certificate
 * file that is not there; a `tokenFile` (kubectl's field) that cannot be read, in the words every file read
 * gives (`readReason`). Each is one line naming the user's part of the kubeconfig and the fix, exit 2, before
 * any request leaves (so no API server is needed: the server address is never dialled).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../support/cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'netfence-credentials-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A kubeconfig with one context `dev` whose user is `user` (YAML lines under `user:`). */
function kubeconfig(name: string, user: string): string {
  const file = join(tmp, `${name}.kubeconfig`);
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters:
  - name: dev
    cluster:
      server: https://127.0.0.1:9
contexts:
  - name: dev
    context: { cluster: dev, user: me }
current-context: dev
users:
  - name: me
    user:
${user}`,
  );
  return file;
}

/** An exec plugin: `node -e <script>`. */
function plugin(name: string, script: string): string {
  return kubeconfig(
    name,
    `      exec:
        apiVersion: client.authentication.k8s.io/v1beta1
        command: ${JSON.stringify(process.execPath)}
        args: ['-e', ${JSON.stringify(script)}]
        interactiveMode: Never
`,
  );
}

async function analyze(file: string): Promise<{ code: number; stderr: string }> {
  const r = await runCli(['analyze', '--cluster', '-A', '--kubeconfig', file]);
  return { code: r.code, stderr: r.stderr };
}

describe('credentials the kubeconfig cannot give', () => {
  test('a credential plugin that is not installed', async () => {
    const file = kubeconfig(
      'missing-plugin',
      `      exec:
        apiVersion: client.authentication.k8s.io/v1beta1
        command: netfence-no-such-plugin
        args: [eks, get-token]
        interactiveMode: Never
`,
    );
    assert.deepEqual(await analyze(file), {
      code: 2,
      stderr:
        'netfence: cannot get the credentials of context "dev": its credential plugin "netfence-no-such-plugin" (users[me].user.exec.command) is not installed or not on PATH; install it, or choose another context with --context\n',
    });
  });

  test('a credential plugin that fails: what it printed, on one line', async () => {
    const file = plugin(
      'failing-plugin',
      "process.stderr.write('error: the SSO session has expired.\\nRun aws sso login.\\n'); process.exit(1)",
    );
    assert.deepEqual(await analyze(file), {
      code: 2,
      stderr: `netfence: cannot get the credentials of context "dev": its credential plugin "${process.execPath}" failed: error: the SSO session has expired. Run aws sso login. (log in again, or run the plugin yourself to see why)\n`,
    });
  });

  test('a credential plugin that fails without a word', async () => {
    const file = plugin('silent-plugin', 'process.exit(3)');
    assert.deepEqual(await analyze(file), {
      code: 2,
      stderr: `netfence: cannot get the credentials of context "dev": its credential plugin "${process.execPath}" failed and printed nothing (log in again, or run the plugin yourself to see why)\n`,
    });
  });

  test('a credential plugin that prints no ExecCredential', async () => {
    const file = plugin('garbage-plugin', "process.stdout.write('not json')");
    assert.deepEqual(await analyze(file), {
      code: 2,
      stderr: `netfence: cannot get the credentials of context "dev": its credential plugin "${process.execPath}" printed no ExecCredential JSON (check users[me].user.exec of the kubeconfig)\n`,
    });
  });

  test("a plugin named by a relative path runs from the kubeconfig's folder, as kubectl runs it, not from the working folder", async () => {
    // The working folder (this checkout) has no ./plugins/: run from there, the plugin would not be found.
    const folder = mkdtempSync(join(tmp, 'relative-'));
    mkdirSync(join(folder, 'plugins'));
    const script = join(folder, 'plugins', 'get-token');
    writeFileSync(script, "#!/bin/sh\necho 'the plugin beside the kubeconfig ran' >&2\nexit 1\n", {
      mode: 0o755,
    });
    const file = join(folder, 'config');
    writeFileSync(
      file,
      readFileSync(
        kubeconfig(
          'relative-plugin',
          '      exec:\n        apiVersion: client.authentication.k8s.io/v1beta1\n        command: ./plugins/get-token\n        interactiveMode: Never\n',
        ),
        'utf8',
      ),
    );
    assert.deepEqual(await analyze(file), {
      code: 2,
      stderr: `netfence: cannot get the credentials of context "dev": its credential plugin "${script}" failed: the plugin beside the kubeconfig ran (log in again, or run the plugin yourself to see why)\n`,
    });
  });

  test('a client certificate file that is not there', async () => {
    const cert = join(tmp, 'gone.crt');
    const file = kubeconfig(
      'missing-cert',
      `      client-certificate: ${JSON.stringify(cert)}
      client-key: ${JSON.stringify(join(tmp, 'gone.key'))}
`,
    );
    assert.deepEqual(await analyze(file), {
      code: 2,
      stderr: `netfence: cannot get the credentials of context "dev": cannot read "${cert}" (it does not exist); check the file paths of users[me] in the kubeconfig\n`,
    });
  });

  test('a client certificate that is a broken symbolic link: where it points', async () => {
    const cert = join(tmp, 'dangling.crt');
    const target = join(tmp, 'moved-away.crt');
    symlinkSync(target, cert);
    const file = kubeconfig(
      'dangling-cert',
      `      client-certificate: ${JSON.stringify(cert)}
      client-key: ${JSON.stringify(join(tmp, 'gone.key'))}
`,
    );
    assert.deepEqual(await analyze(file), {
      code: 2,
      stderr: `netfence: cannot get the credentials of context "dev": cannot read "${cert}" (it is a broken symbolic link to "${target}"); check the file paths of users[me] in the kubeconfig\n`,
    });
  });
});

describe("kubectl's tokenFile that cannot be read", () => {
  test('a path under a file: the part that is a file, as for any file netfence reads', async () => {
    // (It was the bare code, "ENOTDIR".)
    const notes = join(tmp, 'notes.txt');
    writeFileSync(notes, 'not a folder\n');
    const file = kubeconfig('token-under-file', `      tokenFile: ${JSON.stringify(join(notes, 'token'))}\n`);
    assert.deepEqual(await analyze(file), {
      code: 2,
      stderr: `netfence: cannot read the tokenFile "${join(notes, 'token')}" of users[me] in ${file}: "${notes}" is a file, not a folder\n`,
    });
  });

  test('a folder: said so', async () => {
    // (It was the bare code, "EISDIR".)
    const folder = mkdtempSync(join(tmp, 'token-folder-'));
    const file = kubeconfig('token-folder', `      tokenFile: ${JSON.stringify(folder)}\n`);
    assert.deepEqual(await analyze(file), {
      code: 2,
      stderr: `netfence: cannot read the tokenFile "${folder}" of users[me] in ${file}: it is a folder\n`,
    });
  });
});
