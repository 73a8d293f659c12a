import type { Advertisement } from '@seamless/transport';
import type { CheckedAdvertisement } from './checked-advertisement.js';
import { keyOf } from './publisher-key.js';
import type { Lease } from './resolver.js';

/** One lease a resolver issued and still honours. */
export interface LeaseRecord {
  readonly checked: CheckedAdvertisement;
  readonly lease: Lease;
}

/**
 * The leases a resolver issued, one per topic and publisher id. Re-advertising a publisher id
 * supersedes the earlier lease: revoking the superseded lease then does nothing, so a
 * publisher that updates its advertisement cannot be withdrawn by its own stale lease.
 */
export class LeaseBook {
  readonly #records = new Map<string, LeaseRecord>();

  get size(): number {
    return this.#records.size;
  }

  records(): LeaseRecord[] {
    return [...this.#records.values()];
  }

  /**
   * Issues a lease for `checked`; `withdraw` runs once, on the first `revoke()` of a lease that
   * is still current. The new lease replaces any earlier one of the same publisher.
   */
  issue(checked: CheckedAdvertisement, withdraw: (record: LeaseRecord) => Promise<void>): LeaseRecord {
    const key = keyOf(checked.advertisement);
    let revoked: Promise<void> | undefined;
    const lease: Lease = {
      advertisement: checked.advertisement,
      revoke: () => {
        if (revoked === undefined) {
          if (this.#records.get(key) === record) {
            this.#records.delete(key);
            // Withdrawing is best effort by contract (revoke never rejects); each resolver
            // reports its own failures.
            revoked = withdraw(record).catch(() => undefined);
          } else {
            revoked = Promise.resolve();
          }
        }
        return revoked;
      },
    };
    const record: LeaseRecord = { checked, lease };
    this.#records.set(key, record);
    return record;
  }

  /** The current lease of the publisher of `advertisement`, if any. */
  current(advertisement: Advertisement): LeaseRecord | undefined {
    return this.#records.get(keyOf(advertisement));
  }

  /** Whether `record` is still the current lease of its publisher. */
  isCurrent(record: LeaseRecord): boolean {
    return this.#records.get(keyOf(record.checked.advertisement)) === record;
  }
}
