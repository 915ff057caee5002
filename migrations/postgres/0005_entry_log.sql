CREATE TABLE "entry_batches" (
	"venue_id" text NOT NULL,
	"batch_id" text NOT NULL,
	"day" integer NOT NULL,
	"record_count" integer NOT NULL,
	"digest" text NOT NULL,
	"records" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "venues" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"enrolment_code_hash" text,
	"enrolment_expires_at" bigint,
	"credential_hash" text,
	"created_at" bigint NOT NULL,
	"enrolled_at" bigint,
	"revoked_at" bigint
);
--> statement-breakpoint
ALTER TABLE "entry_batches" ADD CONSTRAINT "entry_batches_venue_id_venues_id_fk" FOREIGN KEY ("venue_id") REFERENCES "public"."venues"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "entry_batches_venue_batch" ON "entry_batches" USING btree ("venue_id","batch_id");--> statement-breakpoint
CREATE INDEX "entry_batches_venue_day" ON "entry_batches" USING btree ("venue_id","day");--> statement-breakpoint
CREATE INDEX "entry_batches_day" ON "entry_batches" USING btree ("day");--> statement-breakpoint
CREATE UNIQUE INDEX "venues_enrolment_code_hash" ON "venues" USING btree ("enrolment_code_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "venues_credential_hash" ON "venues" USING btree ("credential_hash");