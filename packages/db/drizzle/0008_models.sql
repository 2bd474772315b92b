CREATE TYPE "public"."model_source" AS ENUM('upload', 'trial');--> statement-breakpoint
CREATE TYPE "public"."model_status" AS ENUM('uploading', 'checking', 'ready', 'failed');--> statement-breakpoint
CREATE TABLE "blob_chunks" (
	"hash" text NOT NULL,
	"index" integer NOT NULL,
	"bytes" "bytea" NOT NULL,
	CONSTRAINT "blob_chunks_hash_index_pk" PRIMARY KEY("hash","index")
);
--> statement-breakpoint
CREATE TABLE "blobs" (
	"hash" text PRIMARY KEY NOT NULL,
	"size_bytes" bigint NOT NULL,
	"verified" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "model_files" (
	"model_id" uuid NOT NULL,
	"name" text NOT NULL,
	"blob_hash" text NOT NULL,
	CONSTRAINT "model_files_model_id_name_pk" PRIMARY KEY("model_id","name")
);
--> statement-breakpoint
CREATE TABLE "model_upload_parts" (
	"model_id" uuid NOT NULL,
	"file_name" text NOT NULL,
	"index" integer NOT NULL,
	CONSTRAINT "model_upload_parts_model_id_file_name_index_pk" PRIMARY KEY("model_id","file_name","index")
);
--> statement-breakpoint
CREATE TABLE "models" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"name" text NOT NULL,
	"source" "model_source" NOT NULL,
	"architecture" text,
	"config" jsonb,
	"parameter_count" bigint,
	"size_bytes" bigint NOT NULL,
	"content_hash" text NOT NULL,
	"tokenizer" text,
	"status" "model_status" DEFAULT 'uploading' NOT NULL,
	"error" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "models_projectId_name_unique" UNIQUE("project_id","name")
);
--> statement-breakpoint
ALTER TABLE "blob_chunks" ADD CONSTRAINT "blob_chunks_hash_blobs_hash_fk" FOREIGN KEY ("hash") REFERENCES "public"."blobs"("hash") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_files" ADD CONSTRAINT "model_files_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_files" ADD CONSTRAINT "model_files_blob_hash_blobs_hash_fk" FOREIGN KEY ("blob_hash") REFERENCES "public"."blobs"("hash") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_upload_parts" ADD CONSTRAINT "model_upload_parts_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "models" ADD CONSTRAINT "models_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "models" ADD CONSTRAINT "models_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "model_files_blob_hash_index" ON "model_files" USING btree ("blob_hash");--> statement-breakpoint
CREATE INDEX "models_project_id_index" ON "models" USING btree ("project_id");