CREATE TABLE `photos` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`sha256` text NOT NULL,
	`format` text NOT NULL,
	`mime_type` text NOT NULL,
	`byte_size` integer NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`orientation` integer,
	`original_filename` text,
	`headline` text,
	`caption` text,
	`alt_text` text,
	`credit` text,
	`creator` text,
	`copyright` text,
	`source` text,
	`usage_terms` text,
	`keywords` text DEFAULT '[]' NOT NULL,
	`taken_at` text,
	`focal_x` real,
	`focal_y` real,
	`expires_at` text,
	`dominant_color` text,
	`blurhash` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `photos_sha256_unique` ON `photos` (`sha256`);--> statement-breakpoint
CREATE INDEX `photos_created_id_idx` ON `photos` (`created_at`,`id`);