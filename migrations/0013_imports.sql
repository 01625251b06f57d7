CREATE TABLE `import_items` (
	`source` text NOT NULL,
	`kind` text NOT NULL,
	`source_id` text NOT NULL,
	`target_id` text NOT NULL,
	`digest` text NOT NULL,
	`imported_at` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`source`, `kind`, `source_id`)
);
--> statement-breakpoint
CREATE INDEX `import_items_target_idx` ON `import_items` (`kind`,`target_id`);--> statement-breakpoint
CREATE TABLE `import_redirects` (
	`path` text PRIMARY KEY NOT NULL,
	`article_id` integer NOT NULL,
	`source` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `import_redirects_article_idx` ON `import_redirects` (`article_id`);--> statement-breakpoint
CREATE TABLE `import_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source` text NOT NULL,
	`input` text NOT NULL,
	`started_at` text NOT NULL,
	`finished_at` text,
	`processed` integer DEFAULT 0 NOT NULL,
	`summary` text
);
--> statement-breakpoint
CREATE INDEX `import_runs_source_idx` ON `import_runs` (`source`,`started_at`);