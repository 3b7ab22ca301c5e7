-- AlterTable
ALTER TABLE "Message" ADD COLUMN "system" TEXT;

-- CreateTable
CREATE TABLE "ReadReceipt" (
    "receipt_id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "conversation_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "message_id" INTEGER NOT NULL,
    "read_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ReadReceipt_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "Conversation" ("conversation_id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ReadReceipt_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "User" ("user_id") ON DELETE CASCADE ON UPDATE CASCADE
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
    "title" TEXT
);
INSERT INTO "new_Conversation" ("conversation_id", "created_at", "direct_key", "updated_at") SELECT "conversation_id", "created_at", "direct_key", "updated_at" FROM "Conversation";
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

    PRIMARY KEY ("conversation_id", "user_id"),
    CONSTRAINT "ConversationParticipant_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "Conversation" ("conversation_id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ConversationParticipant_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "User" ("user_id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ConversationParticipant" ("conversation_id", "joined_at", "last_read_message_id", "user_id") SELECT "conversation_id", "joined_at", "last_read_message_id", "user_id" FROM "ConversationParticipant";
DROP TABLE "ConversationParticipant";
ALTER TABLE "new_ConversationParticipant" RENAME TO "ConversationParticipant";
CREATE INDEX "ConversationParticipant_user_id_idx" ON "ConversationParticipant"("user_id");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "ReadReceipt_conversation_id_message_id_idx" ON "ReadReceipt"("conversation_id", "message_id");
