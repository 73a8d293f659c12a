/** What went wrong, in words, whatever a transport threw (an `Error` or anything else). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
