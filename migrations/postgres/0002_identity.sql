CREATE TABLE "holder_sessions" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"person_id" text,
	"csrf_token" text NOT NULL,
	"pkce_verifier" text,
	"state" text,
	"nonce" text,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "used_person_proofs" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"partner_id" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "partners" ADD COLUMN "oidc_client_id" text;--> statement-breakpoint
ALTER TABLE "partners" ADD COLUMN "registry_trusted" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "holder_sessions_expires_at" ON "holder_sessions" USING btree ("expires_at");