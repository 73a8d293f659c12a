/*
 * What a multicast sender has announced, summarised in two numbers its heartbeat carries and
 * every receiver can check against what it holds: the count of advertisements, and their
 * digest, the sum modulo 2^32 of a 32-bit hash of each one's canonical JSON. The sum does not
 * depend on order and is kept up to date in O(1) per change; two sets that differ collide with
 * a probability of about 2^-32.
 */

/** FNV-1a (32 bits) of the UTF-16 code units of an advertisement's canonical JSON. */
export function advertisementHash(json: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < json.length; index += 1) {
    hash ^= json.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A count and digest, updated as advertisements come and go. */
export class AdvertisementDigest {
  #count = 0;
  #digest = 0;

  get count(): number {
    return this.#count;
  }

  get digest(): number {
    return this.#digest;
  }

  add(hash: number): void {
    this.#count += 1;
    this.#digest = (this.#digest + hash) >>> 0;
  }

  remove(hash: number): void {
    this.#count -= 1;
    this.#digest = (this.#digest - hash) >>> 0;
  }

  matches(count: number, digest: number): boolean {
    return this.#count === count && this.#digest === digest;
  }
}
