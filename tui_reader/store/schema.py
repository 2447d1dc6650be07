"""The store's schema: numbered forward migrations, run in order, each once, in one transaction."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tui_reader.errors import StoreError

# Each step runs once, in order, inside one transaction; never edit a released step, add one.
MIGRATIONS: list[str] = [
    # 1: the base schema
    """
    CREATE TABLE feeds(
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        grp TEXT NOT NULL DEFAULT '',
        etag TEXT NOT NULL DEFAULT '',
        last_modified TEXT NOT NULL DEFAULT '',
        last_fetched INTEGER,
        last_ok INTEGER,
        last_error TEXT NOT NULL DEFAULT '',
        last_status TEXT NOT NULL DEFAULT '',
        added INTEGER NOT NULL
    );
    CREATE TABLE stories(
        id INTEGER PRIMARY KEY,
        feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
        guid TEXT NOT NULL,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT '',
        domain TEXT NOT NULL DEFAULT '',
        published INTEGER,
        fetched INTEGER NOT NULL,
        sort_ts INTEGER NOT NULL,
        feed_summary TEXT NOT NULL DEFAULT '',
        feed_content TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT 'unread'
            CHECK (state IN ('unread', 'read', 'triaged', 'dismissed')),
        prev_state TEXT,
        cluster_id INTEGER,
        copy_of INTEGER,
        cluster_size INTEGER NOT NULL DEFAULT 1
    );
    CREATE UNIQUE INDEX stories_feed_guid ON stories(feed_id, guid);
    CREATE INDEX stories_sort ON stories(sort_ts DESC, id DESC);
    CREATE INDEX stories_state_sort ON stories(state, sort_ts DESC);
    CREATE INDEX stories_feed_sort ON stories(feed_id, sort_ts DESC);
    CREATE INDEX stories_cluster ON stories(cluster_id);
    CREATE TABLE articles(
        story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
        html BLOB,
        content_type TEXT NOT NULL DEFAULT '',
        fetched INTEGER NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        byline TEXT NOT NULL DEFAULT '',
        site_name TEXT NOT NULL DEFAULT '',
        published INTEGER,
        markdown TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL DEFAULT '',
        captions TEXT NOT NULL DEFAULT '',
        word_count INTEGER NOT NULL DEFAULT 0,
        confidence REAL NOT NULL DEFAULT 0,
        notice TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE tags(
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE story_tags(
        story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
        tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        position INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (story_id, tag_id)
    );
    CREATE INDEX story_tags_tag ON story_tags(tag_id);
    CREATE TABLE triage(
        story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
        grade TEXT,
        summary TEXT NOT NULL DEFAULT '',
        triaged_at INTEGER NOT NULL
    );
    CREATE TABLE triage_history(
        id INTEGER PRIMARY KEY,
        story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
        grade TEXT,
        summary TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '',
        triaged_at INTEGER NOT NULL
    );
    CREATE TABLE source_grades(
        domain TEXT PRIMARY KEY,
        reliability TEXT NOT NULL,
        updated INTEGER NOT NULL
    );
    CREATE TABLE log_pending(
        story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
        day TEXT NOT NULL
    );
    CREATE VIRTUAL TABLE stories_fts USING fts5(title, summary, body, tokenize='unicode61 remove_diacritics 2');
    """,
    # 2: corroboration (tui_reader.cluster). MinHash signature per story, and its LSH band keys
    # (plus the canonical-URL key) indexed by (day, key) so candidates are one indexed join.
    # cluster_keys has no foreign key: a cascade would need a second index on story_id; a row
    # left by a deleted story only yields a candidate that verification drops.
    """
    CREATE TABLE cluster_sigs(
        story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
        sort_ts INTEGER NOT NULL,
        url_key INTEGER NOT NULL,
        sig BLOB NOT NULL
    );
    CREATE TABLE cluster_keys(
        day INTEGER NOT NULL,
        key INTEGER NOT NULL,
        story_id INTEGER NOT NULL,
        PRIMARY KEY (day, key, story_id)
    ) WITHOUT ROWID;
    """,
    # 3: sorting the list by source at 100k stories reads this index instead of sorting (121 → 25 ms).
    """
    CREATE INDEX stories_source_sort ON stories(source COLLATE NOCASE, sort_ts DESC, id DESC);
    """,
    # 4: corroboration's event-level link (tui_reader.cluster): each story's salient-token keys
    # (names and figures of title and lead; their index rows go in cluster_keys), and how many
    # stories carry each token, for its rarity (key 2**40 counts the stories).
    """
    ALTER TABLE cluster_sigs ADD COLUMN ents BLOB NOT NULL DEFAULT x'';
    ALTER TABLE cluster_sigs ADD COLUMN title_ents BLOB NOT NULL DEFAULT x'';
    CREATE TABLE cluster_df(
        key INTEGER PRIMARY KEY,
        n INTEGER NOT NULL
    ) WITHOUT ROWID;
    """,
    # 5: the briefing journal holds one row per (story, day): a crash, then a re-triage on another
    # day, must replay both notes rather than only the newest.
    """
    CREATE TABLE log_pending_v5(
        story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
        day TEXT NOT NULL,
        PRIMARY KEY (story_id, day)
    );
    INSERT INTO log_pending_v5(story_id, day) SELECT story_id, day FROM log_pending;
    DROP TABLE log_pending;
    ALTER TABLE log_pending_v5 RENAME TO log_pending;
    """,
    # 6: the feeds panel's unread/total counts per feed, read on every story change, become
    # index-only counts (100 feeds over 100k stories: 103 ms → 4.5 ms).
    """
    CREATE INDEX stories_feed_state ON stories(feed_id, state);
    """,
    # 7: full-text search indexes the words of feed HTML, not its markup: "reuters" stops matching
    # every story whose photo URL names the agency, "lead" every <p class="lead">. Reindexes all.
    """
    DELETE FROM stories_fts;
    INSERT INTO stories_fts(rowid, title, summary, body)
        SELECT s.id, s.title, COALESCE(t.summary, ''),
               COALESCE(NULLIF(a.text, ''), NULLIF(html_text(s.feed_content), ''), html_text(s.feed_summary))
        FROM stories s LEFT JOIN triage t ON t.story_id = s.id LEFT JOIN articles a ON a.story_id = s.id;
    """,
    # 8: stories whose feed entry changed after they were clustered, for the TUI's background
    # worker to re-cluster (a headless fetch does not cluster).
    """
    CREATE TABLE cluster_stale(
        story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE
    );
    """,
    # 9: story identity (tui_reader.identity). A URL no longer makes a story: items of one feed that
    # share a link, and feeds reusing each other's links under their own headlines, had been
    # merged into one story, the last headline winning. The table is rebuilt without UNIQUE(url)
    # (SQLite's documented way; foreign keys are off while migrations run, so nothing cascades),
    # with the canonical URL's key indexed for "same page", and guids that name an item globally
    # but are not its link (tag:, urn:) indexed for "same item" (a link-guid is found by its page).
    # story_feeds holds the other feeds that carry a story besides its home feed (feed_id).
    # Items with neither id nor link get their content hash (a title-only hash merged RSS 0.9x
    # items that have only descriptions). What a merge overwrote is not in the store any more: every
    # feed forgets its ETag and Last-Modified so that the next refresh reads each feed whole and
    # brings the lost items back as stories of their own; a merged story keeps its id, its triage
    # and its own item's guid, whose headline that refresh restores.
    """
    CREATE TABLE stories_v9(
        id INTEGER PRIMARY KEY,
        feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
        guid TEXT NOT NULL,
        url TEXT NOT NULL,
        url_key INTEGER NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT '',
        domain TEXT NOT NULL DEFAULT '',
        published INTEGER,
        fetched INTEGER NOT NULL,
        sort_ts INTEGER NOT NULL,
        feed_summary TEXT NOT NULL DEFAULT '',
        feed_content TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT 'unread'
            CHECK (state IN ('unread', 'read', 'triaged', 'dismissed')),
        prev_state TEXT,
        cluster_id INTEGER,
        copy_of INTEGER,
        cluster_size INTEGER NOT NULL DEFAULT 1
    );
    INSERT INTO stories_v9(id, feed_id, guid, url, url_key, title, author, source, domain, published, fetched,
                           sort_ts, feed_summary, feed_content, state, prev_state, cluster_id, copy_of, cluster_size)
        SELECT id, feed_id, CASE WHEN guid LIKE 'sha1:%' THEN content_guid(title, feed_summary, published) ELSE guid END,
               url, url_key(url), title, author, source, domain, published, fetched,
               sort_ts, feed_summary, feed_content, state, prev_state, cluster_id, copy_of, cluster_size
        FROM stories;
    DROP TABLE stories;
    ALTER TABLE stories_v9 RENAME TO stories;
    CREATE UNIQUE INDEX stories_feed_guid ON stories(feed_id, guid);
    CREATE INDEX stories_global_guid ON stories(guid) WHERE instr(guid, ':') > 0 AND guid != url;
    CREATE INDEX stories_url_key ON stories(url_key);
    CREATE INDEX stories_sort ON stories(sort_ts DESC, id DESC);
    CREATE INDEX stories_state_sort ON stories(state, sort_ts DESC);
    CREATE INDEX stories_feed_sort ON stories(feed_id, sort_ts DESC);
    CREATE INDEX stories_cluster ON stories(cluster_id);
    CREATE INDEX stories_source_sort ON stories(source COLLATE NOCASE, sort_ts DESC, id DESC);
    CREATE INDEX stories_feed_state ON stories(feed_id, state);
    CREATE TABLE story_feeds(
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        guid TEXT NOT NULL,
        story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
        PRIMARY KEY (feed_id, guid)
    );
    CREATE INDEX story_feeds_story ON story_feeds(story_id);
    UPDATE feeds SET etag = '', last_modified = '';
    """,
    # 10: intake rules (tui_reader.rules): what each rule did to each story, so a story says which
    # rule acted on it and an action can be undone. An undone action stays, undone = 1, so that
    # `rules apply` never redoes it; prior is the state a dismissal replaced. Priority and highlight
    # exist only here; the partial index finds the flagged stories (retention never purges them).
    """
    CREATE TABLE rule_actions(
        story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
        rule TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('tag', 'dismiss', 'letter', 'grade', 'priority', 'highlight')),
        value TEXT NOT NULL DEFAULT '',
        prior TEXT,
        at INTEGER NOT NULL,
        undone INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (story_id, rule, action, value)
    ) WITHOUT ROWID;
    CREATE INDEX rule_actions_flag ON rule_actions(action, story_id) WHERE undone = 0;
    """,
    # 11: the analyst's record (tui_reader.notes, tui_reader.sources). A story's note (free text) and its
    # quotes (a passage of the article text, at its paragraph and character offset), searched by
    # notes_fts (rowid = story id: note and quotes together). The source register: each outlet's
    # reliability letter (an outlet without a row is unrated, F) and its history, each grade given
    # (on a story) or letter set (story NULL) with when and why; seeded from every saved triage's
    # grade, so no existing rating is lost. story_letters pins the letter an untriaged story is
    # offered when its source's letter changes. cluster_sigs.wire names the agency a story is a wire
    # copy of (AP, Reuters…): corroboration counts it as that agency, not as its outlet; the stories of
    # the newest week are queued for the clusterer to find theirs (older clusters keep their counts).
    """
    CREATE TABLE notes(
        story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
        text TEXT NOT NULL DEFAULT '',
        updated INTEGER NOT NULL
    );
    CREATE TABLE quotes(
        id INTEGER PRIMARY KEY,
        story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        paragraph INTEGER NOT NULL,
        offset INTEGER NOT NULL,
        created INTEGER NOT NULL
    );
    CREATE INDEX quotes_story ON quotes(story_id, paragraph, offset);
    CREATE VIRTUAL TABLE notes_fts USING fts5(text, tokenize='unicode61 remove_diacritics 2');
    CREATE TABLE sources(
        name TEXT PRIMARY KEY,
        letter TEXT NOT NULL CHECK (letter IN ('A', 'B', 'C', 'D', 'E', 'F')),
        updated INTEGER NOT NULL
    );
    CREATE TABLE source_history(
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        letter TEXT NOT NULL,
        grade TEXT,
        story_id INTEGER REFERENCES stories(id) ON DELETE SET NULL,
        reason TEXT NOT NULL DEFAULT '',
        at INTEGER NOT NULL
    );
    CREATE INDEX source_history_source ON source_history(source, id);
    CREATE INDEX source_history_story ON source_history(story_id);
    CREATE TABLE story_letters(
        story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
        letter TEXT NOT NULL
    );
    ALTER TABLE cluster_sigs ADD COLUMN wire TEXT NOT NULL DEFAULT '';
    INSERT INTO source_history(source, letter, grade, story_id, at)
        SELECT COALESCE(NULLIF(s.source, ''), s.domain), substr(h.grade, 1, 1), h.grade, h.story_id, h.triaged_at
        FROM triage_history h JOIN stories s ON s.id = h.story_id
        WHERE h.grade IS NOT NULL AND h.grade IS NOT (
            SELECT p.grade FROM triage_history p WHERE p.story_id = h.story_id AND p.id < h.id ORDER BY p.id DESC LIMIT 1)
        ORDER BY h.id;
    INSERT INTO sources(name, letter, updated)
        SELECT source, letter, at FROM source_history h WHERE id = (SELECT max(id) FROM source_history WHERE source = h.source);
    INSERT OR IGNORE INTO cluster_stale(story_id)
        SELECT story_id FROM cluster_sigs WHERE sort_ts >= (SELECT max(sort_ts) FROM cluster_sigs) - 7 * 86400;
    """,
    # 12: bulk ratings (the list's R, `triage --query Q --grade B2`): one row per batch with what it replaced
    # (prior, JSON: each story's state and triage, each outlet's and domain's letter, the history rows it
    # added), so that one undo puts the whole batch back. Plain SQL types, no foreign key: a purged story
    # in a batch is simply not put back.
    """
    CREATE TABLE rating_batches(
        name TEXT PRIMARY KEY,
        at INTEGER NOT NULL,
        day TEXT NOT NULL,
        grade TEXT NOT NULL,
        prior TEXT NOT NULL,
        undone INTEGER NOT NULL DEFAULT 0
    );
    """,
]


def migrate(c: sqlite3.Connection, path: Path | str) -> None:
    """Bring the store at ``path`` to the latest schema inside the open transaction ``c``.

    The caller runs it with foreign keys off, as SQLite's table rebuilds require (dropping the old
    ``stories`` would otherwise cascade into articles, triage and tags); the keys are checked here
    before the transaction commits instead.
    """
    c.execute("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)")
    row = c.execute("SELECT version FROM schema_version").fetchone()
    version = row[0] if row else 0
    if row is None:
        c.execute("INSERT INTO schema_version(version) VALUES (0)")
    if version > len(MIGRATIONS):
        raise StoreError(
            f"store {path} has schema version {version}, newer than this tui-reader "
            f"({len(MIGRATIONS)}): upgrade tui-reader"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        for statement in _statements(script):
            c.execute(statement)
        c.execute("UPDATE schema_version SET version = ?", (number,))
    if version < len(MIGRATIONS) and c.execute("PRAGMA foreign_key_check").fetchone():
        raise StoreError(f"store {path}: upgrading the schema would break its links; nothing changed")


def _statements(script: str) -> list[str]:
    """Split a migration script on ``;`` at line ends (our scripts hold no ``;`` inside strings)."""
    return [s.strip() for s in script.split(";\n") if s.strip()]
