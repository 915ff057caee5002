-- Written by hand: drizzle-kit quotes the pieces of an expression index as if they were columns.
-- The first 40 bits (10 hex digits) of every pass id are unique: bundles list revoked passes by them.
CREATE UNIQUE INDEX `issued_passes_pass_id_prefix` ON `issued_passes` (substr(`pass_id`, 1, 10));
