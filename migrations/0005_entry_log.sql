CREATE TABLE `entry_batches` (
	`venue_id` text NOT NULL,
	`batch_id` text NOT NULL,
	`day` integer NOT NULL,
	`record_count` integer NOT NULL,
	`digest` text NOT NULL,
	`records` text NOT NULL,
	FOREIGN KEY (`venue_id`) REFERENCES `venues`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `entry_batches_venue_batch` ON `entry_batches` (`venue_id`,`batch_id`);--> statement-breakpoint
CREATE INDEX `entry_batches_venue_day` ON `entry_batches` (`venue_id`,`day`);--> statement-breakpoint
CREATE INDEX `entry_batches_day` ON `entry_batches` (`day`);--> statement-breakpoint
CREATE TABLE `venues` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`enrolment_code_hash` text,
	`enrolment_expires_at` integer,
	`credential_hash` text,
	`created_at` integer NOT NULL,
	`enrolled_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `venues_enrolment_code_hash` ON `venues` (`enrolment_code_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `venues_credential_hash` ON `venues` (`credential_hash`);