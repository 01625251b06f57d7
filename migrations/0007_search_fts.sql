-- Full-text search (issue 6). A standalone FTS5 table: it keeps its own copy of the indexed text,
-- so rows are replaced by rowid (no old values needed, unlike external-content tables) and
-- snippet() can highlight any column. Rows are written by reindexArticle() in src/search/repository.ts
-- inside each write transaction; `npm run search:reindex` rebuilds it.
CREATE VIRTUAL TABLE `articles_fts` USING fts5(
	headline, standfirst, body, tags, authors, captions,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3 4'
);
--> statement-breakpoint
-- Safety net for hard deletes (soft deletes are handled by reindexArticle).
CREATE TRIGGER `articles_fts_article_deleted` AFTER DELETE ON `articles` BEGIN
	DELETE FROM `articles_fts` WHERE rowid = old.id;
END;
--> statement-breakpoint
-- Tag names for search-box suggestions: an external-content index over `tags`, kept by triggers.
CREATE VIRTUAL TABLE `tags_fts` USING fts5(
	name,
	content = 'tags', content_rowid = 'id',
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3 4'
);
--> statement-breakpoint
CREATE TRIGGER `tags_fts_insert` AFTER INSERT ON `tags` BEGIN
	INSERT INTO `tags_fts`(rowid, name) VALUES (new.id, new.name);
END;
--> statement-breakpoint
CREATE TRIGGER `tags_fts_delete` AFTER DELETE ON `tags` BEGIN
	INSERT INTO `tags_fts`(`tags_fts`, rowid, name) VALUES ('delete', old.id, old.name);
END;
--> statement-breakpoint
CREATE TRIGGER `tags_fts_update` AFTER UPDATE OF name ON `tags` BEGIN
	INSERT INTO `tags_fts`(`tags_fts`, rowid, name) VALUES ('delete', old.id, old.name);
	INSERT INTO `tags_fts`(rowid, name) VALUES (new.id, new.name);
END;
--> statement-breakpoint
INSERT INTO `tags_fts`(`tags_fts`) VALUES ('rebuild');
--> statement-breakpoint
-- Index the articles that already exist (the same document as reindexArticle builds).
INSERT INTO `articles_fts`(rowid, headline, standfirst, body, tags, authors, captions)
SELECT a.id, a.headline, coalesce(a.standfirst, ''), a.body_text,
	coalesce((SELECT group_concat(t.name, char(10) ORDER BY x.position) FROM article_tags x JOIN tags t ON t.id = x.tag_id WHERE x.article_id = a.id), ''),
	coalesce((SELECT group_concat(au.name, char(10) ORDER BY x.position) FROM article_authors x JOIN authors au ON au.id = x.author_id WHERE x.article_id = a.id), ''),
	coalesce((SELECT group_concat(c.caption, char(10) ORDER BY c.k) FROM (
		SELECT p.caption AS caption, -1 AS k FROM photos p WHERE p.id = a.featured_photo_id
		UNION ALL
		SELECT coalesce(json_extract(b.value, '$.caption'), p.caption), b.key
		FROM json_each(a.body) b LEFT JOIN photos p ON p.id = json_extract(b.value, '$.photoId')
		WHERE json_extract(b.value, '$.type') = 'image'
	) c WHERE c.caption IS NOT NULL AND c.caption <> ''), '')
FROM articles a WHERE a.deleted_at IS NULL;
--> statement-breakpoint
INSERT OR IGNORE INTO `search_photo_refs`(photo_id, article_id)
SELECT a.featured_photo_id, a.id FROM articles a WHERE a.deleted_at IS NULL AND a.featured_photo_id IS NOT NULL
UNION
SELECT json_extract(b.value, '$.photoId'), a.id FROM articles a, json_each(a.body) b
WHERE a.deleted_at IS NULL AND json_extract(b.value, '$.type') = 'image' AND json_extract(b.value, '$.photoId') IS NOT NULL;
