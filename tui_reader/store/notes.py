"""Notes and quotes: the analyst's own words on a story and the passages quoted from it, and their search index."""

from __future__ import annotations

from tui_reader.errors import StoreError
from tui_reader.models import Quote
from tui_reader.store.base import Conn, _now
from tui_reader.store.desk import DeskMixin


class NotesMixin(DeskMixin):
    def note_text(self, story_id: int) -> str:
        row = self.conn.execute("SELECT text FROM notes WHERE story_id = ?", (story_id,)).fetchone()
        return row[0] if row else ""

    def quotes(self, story_id: int) -> tuple[Quote, ...]:
        """The story's quotes in reading order."""
        rows = self.conn.execute(
            'SELECT id, text, paragraph, "offset" FROM quotes WHERE story_id = ? ORDER BY paragraph, "offset", id',
            (story_id,),
        ).fetchall()
        return tuple(Quote(r["text"], r["paragraph"], r["offset"], r["id"]) for r in rows)

    def note_by(self, story_id: int) -> str:
        """Who last wrote the story's note ('' for nobody, or a note from before names were kept)."""
        row = self.conn.execute("SELECT analyst FROM notes WHERE story_id = ?", (story_id,)).fetchone()
        return row[0] if row else ""

    def set_note_text(self, story_id: int, text: str, version: int | None = None) -> None:
        """Replace the note; with the ``version`` the caller loaded, refused after a colleague's change."""
        with self.tx() as c:
            self._story_exists(c, story_id)
            self._changed(c, story_id, "note", version)
            c.execute(
                "INSERT INTO notes(story_id, text, updated, analyst) VALUES (?,?,?,?) ON CONFLICT(story_id) "
                "DO UPDATE SET text = excluded.text, updated = excluded.updated, analyst = excluded.analyst",
                (story_id, text, _now(), self.analyst),
            )
            self._reindex_note(c, story_id)

    def add_quote(self, story_id: int, quote: Quote, version: int | None = None) -> int:
        """Store a quote; the same passage quoted twice is kept once. Returns its id. With the ``version`` the
        caller loaded, refused after a colleague's change (the reader's next save would be refused anyway)."""
        with self.tx() as c:
            self._story_exists(c, story_id)
            self._changed(c, story_id, "quote", version)
            row = c.execute(
                'SELECT id FROM quotes WHERE story_id = ? AND paragraph = ? AND "offset" = ? AND text = ?',
                (story_id, quote.paragraph, quote.offset, quote.text),
            ).fetchone()
            if row:
                return row[0]
            quote_id = c.execute(
                'INSERT INTO quotes(story_id, text, paragraph, "offset", created, analyst) VALUES (?,?,?,?,?,?) '
                "RETURNING id",
                (story_id, quote.text, quote.paragraph, quote.offset, _now(), self.analyst),
            ).fetchone()[0]
            self._reindex_note(c, story_id)
            return quote_id

    def _story_exists(self, c: Conn, story_id: int) -> None:
        if c.execute("SELECT 1 FROM stories WHERE id = ?", (story_id,)).fetchone() is None:
            raise StoreError(f"no story with id {story_id}")

    def _reindex_note(self, c: Conn, story_id: int) -> None:
        """``note:WORDS`` searches the note and the quotes together, one row per story."""
        words = [r[0] for r in c.execute("SELECT text FROM notes WHERE story_id = ?", (story_id,))]
        words += [r[0] for r in c.execute("SELECT text FROM quotes WHERE story_id = ? ORDER BY id", (story_id,))]
        c.execute("DELETE FROM notes_fts WHERE rowid = ?", (story_id,))
        if any(w.strip() for w in words):
            c.execute("INSERT INTO notes_fts(rowid, text) VALUES (?, ?)", (story_id, "\n".join(words)))
