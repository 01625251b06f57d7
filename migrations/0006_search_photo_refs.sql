CREATE TABLE `search_photo_refs` (
	`photo_id` integer NOT NULL,
	`article_id` integer NOT NULL,
	PRIMARY KEY(`photo_id`, `article_id`),
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `search_photo_refs_article_idx` ON `search_photo_refs` (`article_id`);