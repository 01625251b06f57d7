ALTER TABLE `articles` ADD `teaser_text` text;--> statement-breakpoint
ALTER TABLE `articles` ADD `teaser_blocks` integer;--> statement-breakpoint
ALTER TABLE `articles` ADD `teaser_setting` integer;--> statement-breakpoint
ALTER TABLE `search_photo_refs` ADD `in_teaser` integer DEFAULT false NOT NULL;
--> statement-breakpoint
-- Issue 12: search must not be an oracle for text past the paywall break. A second FTS5 index with
-- the same columns (and tokenizer) as articles_fts, over what a reader WITHOUT access may read:
-- headline, standfirst, the teaser (articles.teaser_text), tags, authors, and the captions of the
-- featured photo and of image blocks in the teaser. Written by reindexArticle() beside articles_fts,
-- in each write transaction. Existing articles get their teaser columns, this index and the photo
-- refs' in_teaser at the next start (src/articles/teasers.ts: the teaser depends on TEASER_BLOCKS).
CREATE VIRTUAL TABLE `articles_fts_teaser` USING fts5(
	headline, standfirst, body, tags, authors, captions,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3 4'
);
--> statement-breakpoint
CREATE TRIGGER `articles_fts_teaser_article_deleted` AFTER DELETE ON `articles` BEGIN
	DELETE FROM `articles_fts_teaser` WHERE rowid = old.id;
END;
--> statement-breakpoint
-- Until then, featured photos stay shown to every reader.
UPDATE `search_photo_refs` SET `in_teaser` = 1
WHERE EXISTS (SELECT 1 FROM `articles` a WHERE a.id = `search_photo_refs`.article_id AND a.featured_photo_id = `search_photo_refs`.photo_id);
