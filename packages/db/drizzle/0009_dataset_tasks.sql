CREATE TYPE "public"."dataset_task" AS ENUM('language-modelling', 'classification', 'instruction', 'dialogue');--> statement-breakpoint
ALTER TYPE "public"."dataset_format" ADD VALUE 'prompt-completion';--> statement-breakpoint
ALTER TYPE "public"."dataset_format" ADD VALUE 'chat';--> statement-breakpoint
ALTER TABLE "datasets" ADD COLUMN "task" "dataset_task" DEFAULT 'language-modelling' NOT NULL;--> statement-breakpoint
-- Existing datasets are text: labelled samples were uploaded for classification.
UPDATE "datasets" SET "task" = 'classification' WHERE "statistics" ? 'labelCounts';
