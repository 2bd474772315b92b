ALTER TABLE "studies" ADD COLUMN "priority" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "max_concurrent_trials" integer;--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_max_concurrent_trials" CHECK ("teams"."max_concurrent_trials" > 0);