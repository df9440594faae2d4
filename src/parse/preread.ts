/**
 * Files read before the manifests are loaded: the answer cache reads every file the arguments name to make
 * its key (src/cli/answer-cache.ts), and offers their bytes here so that `loadManifests` does not read them
 * again. Each file's bytes are taken once (a file read twice, or changed since, is read from disk); what is
 * left when loading ends is dropped.
 */
const offered = new Map<string, Uint8Array>();

/** Offers files' bytes by the path they were read by (as the arguments and the folder walk name them). */
export function offerFiles(files: Iterable<readonly [path: string, bytes: Uint8Array]>): void {
  for (const [path, bytes] of files) offered.set(path, bytes);
}

/** The bytes offered for `path`, taken (undefined when none were). */
export function takeOfferedFile(path: string): Buffer | undefined {
  const bytes = offered.get(path);
  if (bytes === undefined) return undefined;
  offered.delete(path);
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Drops what was offered and not taken. */
export function dropOfferedFiles(): void {
  offered.clear();
}
