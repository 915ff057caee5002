CREATE TABLE "holder_answer_generation" (
	"id" integer PRIMARY KEY NOT NULL,
	"generation" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "holder_answers" (
	"person_id" text PRIMARY KEY NOT NULL,
	"changes" bigint NOT NULL,
	"etag" text,
	"valid_until" bigint NOT NULL,
	"generation" bigint NOT NULL
);
