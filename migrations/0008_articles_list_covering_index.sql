DROP INDEX `articles_published_id_idx`;--> statement-breakpoint
CREATE INDEX `articles_published_id_idx` ON `articles` (`published_at`,`id`,`status`,`deleted_at`,`access`,`version`);