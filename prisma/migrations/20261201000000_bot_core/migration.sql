-- AlterTable
ALTER TABLE "Job" DROP COLUMN "error";
ALTER TABLE "Job" ADD COLUMN "replyRef" TEXT;
ALTER TABLE "Job" ADD COLUMN "uploadLimitBytes" INTEGER;
ALTER TABLE "Job" ADD COLUMN "errorDetails" TEXT;
ALTER TABLE "Job" ADD COLUMN "parentId" TEXT;
ALTER TABLE "Job" ADD COLUMN "followUp" TEXT;
ALTER TABLE "Job" ADD COLUMN "owner" TEXT;
ALTER TABLE "Job" ADD COLUMN "leaseUntil" DATETIME;

-- AlterTable
ALTER TABLE "ServerSettings" ADD COLUMN "maxJobMemoryBytes" REAL;

-- CreateIndex
CREATE INDEX "Job_platform_userId_createdAt_idx" ON "Job"("platform", "userId", "createdAt");

-- CreateIndex
CREATE INDEX "Job_parentId_idx" ON "Job"("parentId");
