-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "seq" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "ConversationParticipant" ADD COLUMN     "seq" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "seq" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "ChangeFeed" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "seq" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ChangeFeed_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Message_seq_idx" ON "Message"("seq");

-- Backfill (written by hand): a stored message's position is its id, and the counter goes on from the highest.
UPDATE "Message" SET "seq" = "message_id";
INSERT INTO "ChangeFeed" ("id", "seq") SELECT 1, COALESCE(MAX("message_id"), 0) FROM "Message";
