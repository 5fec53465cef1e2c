/**
 * A small, stable, dependency-free string hash for fingerprints.
 *
 * FNV-1a, 64 bits, over the UTF-8 bytes of the input. The core is pure and runs the same
 * in Node and in a browser, so node:crypto is not used. FNV is not collision resistant
 * against an adversary, which does not matter here: a fingerprint only groups reports,
 * and a forged collision could only make the bot name a wrong earlier issue.
 */
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;

const encoder = new TextEncoder();

/** FNV-1a 64 of `text`, as 16 lowercase hex digits. */
export function fnv1a64(text: string): string {
  let hash = FNV_OFFSET;
  for (const byte of encoder.encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * FNV_PRIME) & MASK_64;
  }
  return hash.toString(16).padStart(16, '0');
}
