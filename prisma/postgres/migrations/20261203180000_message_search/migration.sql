-- Message search (GET /api/search): the same text as SQLite's MessageSearch (electron/shared/search-text.ts),
-- in a table of its own with a trigram index (pg_trgm), which answers LIKE '%…%' for any run of three
-- or more characters. The extension lives in public (an extension is installed once per database,
-- whichever schema a server uses). Filled for the messages already stored by the migration's data
-- step (electron/server/db/data-steps.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE TABLE "MessageSearch" (
    "message_id" INTEGER NOT NULL,
    "text" TEXT NOT NULL,

    CONSTRAINT "MessageSearch_pkey" PRIMARY KEY ("message_id"),
    CONSTRAINT "MessageSearch_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "Message"("message_id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Whether the index lacks messages: set while a server runs with the index turned off
-- (--search-index off), which the next start with it on rebuilds (electron/server/db/search-index.ts).
CREATE TABLE "MessageSearchState" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "stale" BOOLEAN NOT NULL
);
INSERT INTO "MessageSearchState" ("id", "stale") VALUES (1, false);

CREATE INDEX "MessageSearch_text_trgm" ON "MessageSearch" USING gin ("text" public.gin_trgm_ops);
