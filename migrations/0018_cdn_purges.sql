CREATE TABLE `cdn_purges` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`keys` text NOT NULL,
	`hard` integer DEFAULT false NOT NULL,
	`reason` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` text,
	`results` text DEFAULT '{}' NOT NULL,
	`last_error` text,
	`created_at` text NOT NULL,
	`completed_at` text
);
--> statement-breakpoint
CREATE INDEX `cdn_purges_due_idx` ON `cdn_purges` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `cdn_sweep` (
	`id` integer PRIMARY KEY NOT NULL,
	`swept_until` text NOT NULL
);
