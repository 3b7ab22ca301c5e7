-- Message search (GET /api/search). What is stored and why: electron/shared/search-text.ts.
-- The index holds each message's text folded (no case, no accents), with a space before every word
-- and the characters of scripts written without spaces (and emoji) three times over; the trigram
-- tokenizer then finds any run of three or more characters, in any script. The text is made in
-- JavaScript by the writer, in the transaction that stores, edits or deletes the message, so the index
-- keeps none (content=''); a contentless table that can delete a row (contentless_delete) needs no copy
-- of the text to forget it. Filled for the messages already stored by the migration's data step
-- (electron/server/db/data-steps.ts).
CREATE VIRTUAL TABLE "MessageSearch" USING fts5(
    "text",
    content = '',
    contentless_delete = 1,
    tokenize = 'trigram case_sensitive 1'
);

-- Whether the index lacks messages: set while a server runs with the index turned off
-- (--search-index off), which the next start with it on rebuilds (electron/server/db/search-index.ts).
CREATE TABLE "MessageSearchState" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "stale" BOOLEAN NOT NULL
);
INSERT INTO "MessageSearchState" ("id", "stale") VALUES (1, false);

-- A message deleted as a row (its conversation or its sender removed from the server) leaves the index with it.
CREATE TRIGGER "Message_leaves_search" AFTER DELETE ON "Message" BEGIN
    DELETE FROM "MessageSearch" WHERE rowid = old."message_id";
END;
