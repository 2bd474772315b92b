CREATE TABLE "generation_samples" (
	"trial_id" uuid NOT NULL,
	"step" integer NOT NULL,
	"position" integer NOT NULL,
	"prompt" text NOT NULL,
	"reference" text NOT NULL,
	"generated" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "generation_samples_trial_id_step_position_pk" PRIMARY KEY("trial_id","step","position")
);
--> statement-breakpoint
ALTER TABLE "generation_samples" ADD CONSTRAINT "generation_samples_trial_id_trials_id_fk" FOREIGN KEY ("trial_id") REFERENCES "public"."trials"("id") ON DELETE cascade ON UPDATE no action;