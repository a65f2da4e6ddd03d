-- CreateTable
CREATE TABLE "Preset" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "platform" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "options" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "UserSettings" (
    "platform" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "defaultPresetId" INTEGER,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("platform", "userId"),
    CONSTRAINT "UserSettings_defaultPresetId_fkey" FOREIGN KEY ("defaultPresetId") REFERENCES "Preset" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ServerSettings" (
    "platform" TEXT NOT NULL,
    "serverId" TEXT NOT NULL,
    "maxConcurrent" INTEGER,
    "maxRunningPerUser" INTEGER,
    "maxWaitingPerUser" INTEGER,
    "userHourlySeconds" INTEGER,
    "serverHourlySeconds" INTEGER,
    "maxSize" INTEGER,
    "maxSteps" INTEGER,
    "defaults" TEXT NOT NULL DEFAULT '{}',
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("platform", "serverId")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "platform" TEXT NOT NULL,
    "serverId" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "threadId" TEXT,
    "userId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "options" TEXT NOT NULL,
    "presetName" TEXT,
    "totalSteps" INTEGER NOT NULL,
    "progressStep" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "estimatedSeconds" REAL NOT NULL,
    "computeSeconds" REAL,
    "secondsPerStep" REAL,
    "resultPath" TEXT,
    "gifPath" TEXT,
    "plotPath" TEXT,
    "summary" TEXT,
    "errorCode" TEXT,
    "error" TEXT,
    "cancelledBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "filesPurgedAt" DATETIME
);

-- CreateTable
CREATE TABLE "JobInput" (
    "jobId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,

    PRIMARY KEY ("jobId", "position"),
    CONSTRAINT "JobInput_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Preset_platform_userId_name_key" ON "Preset"("platform", "userId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "UserSettings_defaultPresetId_key" ON "UserSettings"("defaultPresetId");

-- CreateIndex
CREATE INDEX "Job_status_createdAt_idx" ON "Job"("status", "createdAt");

-- CreateIndex
CREATE INDEX "Job_platform_userId_status_idx" ON "Job"("platform", "userId", "status");

-- CreateIndex
CREATE INDEX "Job_platform_serverId_finishedAt_idx" ON "Job"("platform", "serverId", "finishedAt");

-- CreateIndex
CREATE INDEX "JobInput_hash_idx" ON "JobInput"("hash");
