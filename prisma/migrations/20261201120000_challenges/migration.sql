-- CreateTable
CREATE TABLE "Challenge" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "platform" TEXT NOT NULL,
    "serverId" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "options" TEXT NOT NULL,
    "styleImage" BLOB NOT NULL,
    "styleType" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "closesAt" DATETIME NOT NULL,
    "closedAt" DATETIME,
    "closedBy" TEXT,
    "replyRef" TEXT
);

-- CreateTable
CREATE TABLE "ChallengeEntry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "challengeId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "currentKey" TEXT,
    "createdAt" DATETIME NOT NULL,
    "enteredAt" DATETIME,
    "place" INTEGER,
    "messageRef" TEXT,
    CONSTRAINT "ChallengeEntry_challengeId_fkey" FOREIGN KEY ("challengeId") REFERENCES "Challenge" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ChallengeVote" (
    "challengeId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "entryId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("challengeId", "userId"),
    CONSTRAINT "ChallengeVote_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "ChallengeEntry" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ChallengeVote_challengeId_fkey" FOREIGN KEY ("challengeId") REFERENCES "Challenge" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Challenge_status_closesAt_idx" ON "Challenge"("status", "closesAt");

-- CreateIndex
CREATE INDEX "Challenge_platform_serverId_createdAt_idx" ON "Challenge"("platform", "serverId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ChallengeEntry_jobId_key" ON "ChallengeEntry"("jobId");

-- CreateIndex
CREATE UNIQUE INDEX "ChallengeEntry_currentKey_key" ON "ChallengeEntry"("currentKey");

-- CreateIndex
CREATE INDEX "ChallengeEntry_challengeId_status_idx" ON "ChallengeEntry"("challengeId", "status");

-- CreateIndex
CREATE INDEX "ChallengeVote_entryId_idx" ON "ChallengeVote"("entryId");
