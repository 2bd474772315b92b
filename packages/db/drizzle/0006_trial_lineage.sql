CREATE TABLE "trial_lineage" (
	"trial_id" uuid NOT NULL,
	"step" integer NOT NULL,
	"params" jsonb NOT NULL,
	"copied_from_trial_id" uuid,
	"copied_step" integer,
	"value" double precision,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "trial_lineage_trial_id_step_pk" PRIMARY KEY("trial_id","step")
);
--> statement-breakpoint
ALTER TABLE "trial_lineage" ADD CONSTRAINT "trial_lineage_trial_id_trials_id_fk" FOREIGN KEY ("trial_id") REFERENCES "public"."trials"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trial_lineage" ADD CONSTRAINT "trial_lineage_copied_from_trial_id_trials_id_fk" FOREIGN KEY ("copied_from_trial_id") REFERENCES "public"."trials"("id") ON DELETE set null ON UPDATE no action;