/**
 * Which files of a folder are manifests: one rule for reading folders from disk (`loadManifests`), from a git
 * revision, and for sizing a command's input before it runs.
 */
import { extname } from 'node:path';

const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];

/** Entries a folder walk passes over: hidden ones and node_modules (a folder named explicitly is still read). */
export function isSkippedEntry(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

/** Whether a file found in a folder is read as manifests (a file named explicitly is read whatever its name). */
export function isManifestName(name: string): boolean {
  return MANIFEST_EXTENSIONS.includes(extname(name).toLowerCase());
}
