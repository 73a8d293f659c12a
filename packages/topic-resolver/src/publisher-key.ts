/** One publisher of one topic: what identifies an advertisement in every resolver. */
export interface PublisherKey {
  readonly topic: string;
  readonly publisherId: string;
}

/** The map key of one publisher of one topic (topics and publisher ids never hold U+0000). */
export function keyOf(key: PublisherKey): string {
  return `${key.topic}\u0000${key.publisherId}`;
}
