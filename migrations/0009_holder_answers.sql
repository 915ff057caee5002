CREATE TABLE `holder_answer_generation` (
	`id` integer PRIMARY KEY NOT NULL,
	`generation` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `holder_answers` (
	`person_id` text PRIMARY KEY NOT NULL,
	`changes` integer NOT NULL,
	`etag` text,
	`valid_until` integer NOT NULL,
	`generation` integer NOT NULL
);
