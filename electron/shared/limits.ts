/** Limits every side agrees on: the server enforces them, clients use them to warn early. */
export const LIMITS = {
  /** Characters of one message's text. */
  contentMaxChars: 10_000,
  usernameMinChars: 3,
  usernameMaxChars: 32,
  passwordMinChars: 8,
  passwordMaxChars: 256,
  displayNameMaxChars: 64,
  /** Messages per page of history. */
  pageDefault: 50,
  pageMax: 200,
  /** Messages per answer of a catch-up (`sync`). */
  syncPageDefault: 500,
  syncPageMax: 1000,
  attachmentsPerMessage: 10,
  clientIdMaxChars: 64,
  searchQueryMaxChars: 64,
  searchResultsMax: 20,
  fileNameMaxChars: 200,
  /** Largest id a client may name: ids are 32-bit integers in both SQLite and PostgreSQL. */
  maxId: 2_147_483_647,
} as const
