-- CreateTable
CREATE TABLE "ChangeFeed" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT DEFAULT 1,
    "seq" INTEGER NOT NULL DEFAULT 0
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Conversation" (
    "conversation_id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "direct_key" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL DEFAULT 'direct',
    "title" TEXT,
    "seq" INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "new_Conversation" ("conversation_id", "created_at", "direct_key", "kind", "title", "updated_at") SELECT "conversation_id", "created_at", "direct_key", "kind", "title", "updated_at" FROM "Conversation";
DROP TABLE "Conversation";
ALTER TABLE "new_Conversation" RENAME TO "Conversation";
CREATE UNIQUE INDEX "Conversation_direct_key_key" ON "Conversation"("direct_key");
CREATE INDEX "Conversation_updated_at_idx" ON "Conversation"("updated_at");
CREATE TABLE "new_ConversationParticipant" (
    "conversation_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "last_read_message_id" INTEGER,
    "joined_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "muted" BOOLEAN NOT NULL DEFAULT false,
    "removed_at" DATETIME,
    "role" TEXT NOT NULL DEFAULT 'member',
    "visible_until" INTEGER,
    "seq" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("conversation_id", "user_id"),
    CONSTRAINT "ConversationParticipant_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "Conversation" ("conversation_id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ConversationParticipant_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "User" ("user_id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ConversationParticipant" ("conversation_id", "joined_at", "last_read_message_id", "muted", "removed_at", "role", "user_id", "visible_until") SELECT "conversation_id", "joined_at", "last_read_message_id", "muted", "removed_at", "role", "user_id", "visible_until" FROM "ConversationParticipant";
DROP TABLE "ConversationParticipant";
ALTER TABLE "new_ConversationParticipant" RENAME TO "ConversationParticipant";
CREATE INDEX "ConversationParticipant_user_id_idx" ON "ConversationParticipant"("user_id");
CREATE TABLE "new_Message" (
    "message_id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "conversation_id" INTEGER NOT NULL,
    "sender_id" INTEGER NOT NULL,
    "content" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "is_read" BOOLEAN NOT NULL DEFAULT false,
    "client_id" TEXT,
    "system" TEXT,
    "seq" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "Message_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "Conversation" ("conversation_id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Message_sender_id_fkey" FOREIGN KEY ("sender_id") REFERENCES "User" ("user_id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Message" ("client_id", "content", "conversation_id", "created_at", "is_read", "message_id", "sender_id", "system") SELECT "client_id", "content", "conversation_id", "created_at", "is_read", "message_id", "sender_id", "system" FROM "Message";
DROP TABLE "Message";
ALTER TABLE "new_Message" RENAME TO "Message";
CREATE INDEX "Message_conversation_id_message_id_idx" ON "Message"("conversation_id", "message_id");
CREATE INDEX "Message_conversation_id_is_read_idx" ON "Message"("conversation_id", "is_read");
CREATE INDEX "Message_seq_idx" ON "Message"("seq");
CREATE UNIQUE INDEX "Message_sender_id_client_id_key" ON "Message"("sender_id", "client_id");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Backfill (written by hand): a stored message's position is its id, and the counter goes on from the highest.
UPDATE "Message" SET "seq" = "message_id";
INSERT INTO "ChangeFeed" ("id", "seq") SELECT 1, COALESCE(MAX("message_id"), 0) FROM "Message";
