CREATE TABLE "storage_probe" (
	"id" integer PRIMARY KEY NOT NULL,
	"filler" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_at" ON "idempotency_keys" USING btree ("created_at");