/**
 * The most messages one publisher may retain for late joiners (`history`). A ring that keeps
 * them is sized for them, so the bound keeps a typo from asking for gigabytes.
 */
export const MAX_HISTORY = 65_536;
