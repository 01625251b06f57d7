-- The content epochs: counters that move with every committed write to a table whose rows show in
-- rendered articles, lists or paywalls. Caches of rendered JSON key on them (src/articles/cache.ts):
-- - 'articles': articles and their bylines, tags, corrections and old slugs. Each article's own
--   edits also bump its version, so this one only retires lists, counts and slug lookups;
-- - 'shared': authors, tags, sections, photos and plans, which any article may show: it retires
--   every rendered article.
-- Reader-side writes (metered reads, sessions, mail, webhook deliveries, key use) move neither.
-- Triggers keep them, so a write from any process counts, the sqlite3 shell included. A table
-- added later whose rows are rendered needs its three triggers.
CREATE TABLE `content_epoch` (
	`scope` text PRIMARY KEY NOT NULL CHECK (`scope` IN ('articles', 'shared')),
	`n` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `content_epoch` (`scope`, `n`) VALUES ('articles', 0), ('shared', 0);
--> statement-breakpoint
CREATE TRIGGER `content_epoch_articles_insert` AFTER INSERT ON `articles` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'articles';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_articles_update` AFTER UPDATE ON `articles` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'articles';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_articles_delete` AFTER DELETE ON `articles` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'articles';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_article_authors_insert` AFTER INSERT ON `article_authors` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'articles';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_article_authors_update` AFTER UPDATE ON `article_authors` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'articles';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_article_authors_delete` AFTER DELETE ON `article_authors` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'articles';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_article_corrections_insert` AFTER INSERT ON `article_corrections` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'articles';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_article_corrections_update` AFTER UPDATE ON `article_corrections` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'articles';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_article_corrections_delete` AFTER DELETE ON `article_corrections` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'articles';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_article_slugs_insert` AFTER INSERT ON `article_slugs` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'articles';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_article_slugs_update` AFTER UPDATE ON `article_slugs` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'articles';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_article_slugs_delete` AFTER DELETE ON `article_slugs` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'articles';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_article_tags_insert` AFTER INSERT ON `article_tags` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'articles';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_article_tags_update` AFTER UPDATE ON `article_tags` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'articles';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_article_tags_delete` AFTER DELETE ON `article_tags` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'articles';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_sections_insert` AFTER INSERT ON `sections` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'shared';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_sections_update` AFTER UPDATE ON `sections` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'shared';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_sections_delete` AFTER DELETE ON `sections` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'shared';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_authors_insert` AFTER INSERT ON `authors` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'shared';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_authors_update` AFTER UPDATE ON `authors` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'shared';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_authors_delete` AFTER DELETE ON `authors` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'shared';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_tags_insert` AFTER INSERT ON `tags` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'shared';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_tags_update` AFTER UPDATE ON `tags` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'shared';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_tags_delete` AFTER DELETE ON `tags` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'shared';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_photos_insert` AFTER INSERT ON `photos` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'shared';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_photos_update` AFTER UPDATE ON `photos` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'shared';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_photos_delete` AFTER DELETE ON `photos` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'shared';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_plans_insert` AFTER INSERT ON `plans` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'shared';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_plans_update` AFTER UPDATE ON `plans` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'shared';
END;
--> statement-breakpoint
CREATE TRIGGER `content_epoch_plans_delete` AFTER DELETE ON `plans` BEGIN
	UPDATE `content_epoch` SET `n` = `n` + 1 WHERE `scope` = 'shared';
END;
