/** Limits and timings every side agrees on: the server enforces the limits, clients use them to warn early. */
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
  /** Characters of a message search (GET /api/search). */
  messageSearchMaxChars: 200,
  /** Terms of a message search that are searched for; the rest are left out. */
  searchTermsMax: 8,
  /** Results per page of a message search. */
  searchPageDefault: 20,
  searchPageMax: 50,
  /** Newest matches a search ordered by relevance ranks (and pages through). */
  searchRelevanceWindow: 200,
  fileNameMaxChars: 200,
  /** People in one group, its owner included (Signal's hard limit is 1,001). */
  groupMembersMax: 1000,
  groupTitleMaxChars: 100,
  /** Characters of a replied-to message shown in the reply's quote. */
  replyExcerptChars: 200,
  /** Edits of one message, at most (Signal allows 10, Telegram unlimited; 20 is the issue's). */
  editsMax: 20,
  /** How long after sending a message its sender may edit it, by default (a server setting; Signal's is 24 hours). */
  editWindowMs: 24 * 60 * 60 * 1000,
  /** People named per emoji in a message's reactions (the count stays exact). */
  reactionUsersShown: 20,
  /** The reactions the composer offers first; any single RGI emoji is accepted. */
  quickReactions: ['👍', '❤️', '😂', '😮', '😢', '🙏'],
  /** Largest id a client may name: ids are 32-bit integers in both SQLite and PostgreSQL. */
  maxId: 2_147_483_647,
  /** A typist says "typing" again this often while keys keep coming (typing events are fire-and-forget, so one may be lost)… */
  typingRepeatMs: 2_500,
  /** …and "stopped" after this long without a key. */
  typingIdleMs: 3_000,
  /** Readers drop a typist not heard from for this long (a lost "stopped"); more than one repeat interval. */
  typingExpiresMs: 6_000,
  /** Attachment types shown as pictures: the renderer previews them and the server serves them inline; any other type is a download. */
  imageTypes: ['image/png', 'image/jpeg', 'image/gif', 'image/webp'],
} as const

/** Whether an attachment of this type is shown as a picture (LIMITS.imageTypes). */
export const isImageType = (type: string | undefined): boolean => (LIMITS.imageTypes as readonly (string | undefined)[]).includes(type)
