DROP INDEX `issued_passes_person`;--> statement-breakpoint
CREATE INDEX `issued_passes_holder_reuse` ON `issued_passes` (`person_id`,`issued_by`,`type`,`facts_hash`,`iat`);