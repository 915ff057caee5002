CREATE TABLE `person_holds` (
	`person_id` text PRIMARY KEY NOT NULL,
	`reason` text,
	`held_at` integer NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
