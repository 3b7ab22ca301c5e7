-- CreateTable
CREATE TABLE "MessageVersion" (
    "version_id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "message_id" INTEGER NOT NULL,
    "content" TEXT NOT NULL,
    "written_at" DATETIME NOT NULL,
    CONSTRAINT "MessageVersion_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "Message" ("message_id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Reaction" (
    "message_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "emoji" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("message_id", "user_id", "emoji"),
    CONSTRAINT "Reaction_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "Message" ("message_id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Reaction_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "User" ("user_id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
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
    "deleted_at" DATETIME,
    "edited_at" DATETIME,
    "reply_to_id" INTEGER,
    CONSTRAINT "Message_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "Conversation" ("conversation_id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Message_sender_id_fkey" FOREIGN KEY ("sender_id") REFERENCES "User" ("user_id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Message_reply_to_id_fkey" FOREIGN KEY ("reply_to_id") REFERENCES "Message" ("message_id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Message" ("client_id", "content", "conversation_id", "created_at", "is_read", "message_id", "sender_id", "seq", "system") SELECT "client_id", "content", "conversation_id", "created_at", "is_read", "message_id", "sender_id", "seq", "system" FROM "Message";
DROP TABLE "Message";
ALTER TABLE "new_Message" RENAME TO "Message";
CREATE INDEX "Message_conversation_id_message_id_idx" ON "Message"("conversation_id", "message_id");
CREATE INDEX "Message_conversation_id_is_read_idx" ON "Message"("conversation_id", "is_read");
CREATE INDEX "Message_seq_idx" ON "Message"("seq");
CREATE UNIQUE INDEX "Message_sender_id_client_id_key" ON "Message"("sender_id", "client_id");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "MessageVersion_message_id_idx" ON "MessageVersion"("message_id");

-- CreateIndex
CREATE INDEX "Reaction_message_id_created_at_idx" ON "Reaction"("message_id", "created_at");
