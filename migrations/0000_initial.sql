CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`pass_id` text,
	`person_id` text,
	`request_id` text,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_at` ON `audit_log` (`at`);--> statement-breakpoint
CREATE TABLE `bundle_versions` (
	`version` integer PRIMARY KEY NOT NULL,
	`issued_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`content_hash` text NOT NULL,
	`jws` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`partner_id` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`response_status` integer NOT NULL,
	`response_body` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `idempotency_keys_partner_key` ON `idempotency_keys` (`partner_id`,`key`);--> statement-breakpoint
CREATE TABLE `issued_passes` (
	`pass_id` text PRIMARY KEY NOT NULL,
	`person_id` text NOT NULL,
	`kid` text NOT NULL,
	`type` text NOT NULL,
	`iat` integer NOT NULL,
	`exp` integer NOT NULL,
	`issued_by` text NOT NULL,
	`facts_hash` text NOT NULL,
	`text` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `issued_passes_person` ON `issued_passes` (`person_id`,`type`,`iat`);--> statement-breakpoint
CREATE INDEX `issued_passes_issued_by` ON `issued_passes` (`issued_by`);--> statement-breakpoint
CREATE TABLE `partners` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`api_key_hash` text NOT NULL,
	`scopes` text NOT NULL,
	`quota_per_minute` integer NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `partners_api_key_hash` ON `partners` (`api_key_hash`);--> statement-breakpoint
CREATE TABLE `revocations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`reason` text,
	`revoked_at` integer NOT NULL,
	`revoked_by` text NOT NULL,
	`bundle_version` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `revocations_kind_subject` ON `revocations` (`kind`,`subject`);--> statement-breakpoint
CREATE INDEX `revocations_bundle_version` ON `revocations` (`bundle_version`);--> statement-breakpoint
CREATE TABLE `exemptions` (
	`id` text PRIMARY KEY NOT NULL,
	`person_id` text NOT NULL,
	`valid_from` text NOT NULL,
	`valid_until` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `exemptions_person_from` ON `exemptions` (`person_id`,`valid_from`);--> statement-breakpoint
CREATE TABLE `people` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`birth_date` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `people_birth_date_name` ON `people` (`birth_date`,`name`);--> statement-breakpoint
CREATE TABLE `recoveries` (
	`id` text PRIMARY KEY NOT NULL,
	`person_id` text NOT NULL,
	`first_positive_test` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `recoveries_person_date` ON `recoveries` (`person_id`,`first_positive_test`);--> statement-breakpoint
CREATE TABLE `test_results` (
	`id` text PRIMARY KEY NOT NULL,
	`person_id` text NOT NULL,
	`kind` text NOT NULL,
	`sampled_at` integer NOT NULL,
	`result` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `test_results_person_sampled` ON `test_results` (`person_id`,`sampled_at`);--> statement-breakpoint
CREATE TABLE `vaccination_events` (
	`id` text PRIMARY KEY NOT NULL,
	`person_id` text NOT NULL,
	`product_code` integer NOT NULL,
	`dose_date` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vaccination_events_person_date` ON `vaccination_events` (`person_id`,`dose_date`);