CREATE TABLE "person_holds" (
	"person_id" text PRIMARY KEY NOT NULL,
	"reason" text,
	"held_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "person_holds" ADD CONSTRAINT "person_holds_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;