/**
 * The code of an error from Node (`ENOENT`, `EISDIR`, `EADDRINUSE`, `ERR_WORKER_OUT_OF_MEMORY`, …), or undefined
 * when the value thrown has none: anything may be thrown, so it is read without trusting its type.
 */
export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}
