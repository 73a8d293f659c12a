import { ErrorCode, MAX_ADVERTISEMENT_BYTES, SeamlessError, parseAdvertisement } from '@seamless/transport';
import type { Advertisement } from '@seamless/transport';

/** An advertisement that passed validation, with its canonical JSON (used to compare content). */
export interface CheckedAdvertisement {
  readonly advertisement: Advertisement;
  readonly json: string;
}

/**
 * Validates an advertisement handed to `advertise()`: the schema (`parseAdvertisement`) and the
 * size limit every resolver enforces on what it reads back, so that nothing is published that
 * a peer would have to refuse.
 */
export function checkAdvertisement(value: unknown): CheckedAdvertisement {
  const advertisement = parseAdvertisement(value);
  const json = JSON.stringify(advertisement);
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_ADVERTISEMENT_BYTES) {
    throw new SeamlessError(
      ErrorCode.AdvertisementInvalid,
      `invalid advertisement: it is ${bytes} bytes of JSON, the limit is ${MAX_ADVERTISEMENT_BYTES}`,
      { details: { field: 'advertisement', problem: 'too large', bytes } },
    );
  }
  return { advertisement, json };
}

/** The canonical JSON of an advertisement already validated by `parseAdvertisement`. */
export function canonicalJson(advertisement: Advertisement): string {
  return JSON.stringify(advertisement);
}
