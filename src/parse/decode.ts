/**
 * The bytes of a manifest → its text, as kubectl decodes a file or standard input (k8s.io/cli-runtime's
 * `FileVisitor`: `unicode.BOMOverride(unicode.UTF8.NewDecoder())`): UTF-16, little or big endian, when the bytes
 * start with its byte order mark (Windows PowerShell 5 writes `helm template . > out.yaml` so), else UTF-8.
 * The mark stays at the start of the text as U+FEFF, as a UTF-8 one does (the parser reads past it). Pure; no
 * imports, so that process.ts can decode standard input without loading the parser.
 */
export function decodeText(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return buffer.toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    // Big endian: swapped into a copy (of an even length: a last odd byte is no character), then read.
    const swapped = Buffer.from(buffer.subarray(0, buffer.length - (buffer.length % 2)));
    return swapped.swap16().toString('utf16le');
  }
  return buffer.toString('utf8');
}
