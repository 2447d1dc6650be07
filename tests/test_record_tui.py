"""The analyst's record in the TUI, keys only: quoting a passage, notes, the sources screen and re-grading."""

from datetime import date

from tests.screen import Toasts, screen_text
from tests.test_app import open_story, story_id_titled
from tui_reader.models import Grade, State, TriageInput
from tui_reader.notes import article_paragraphs
from tui_reader.triage import apply_triage
from tui_reader.ui.app import ReaderApp
from tui_reader.ui.widgets.passage import PassageView


def note_text(paths):
    return (paths.briefing_dir / f"{date.today().isoformat()}.md").read_text(encoding="utf-8")


async def settle(app, pilot):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_select_lines_with_the_keyboard_and_quote_them_into_the_briefing_item(demo):
    _, store, paths = demo
    sid = story_id_titled(store, "Ruwaished")
    app = ReaderApp(store, paths)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_story(app, pilot, sid)
        await pilot.press("2", "t", *"border", "enter")  # triaged first: the quote then reaches its item
        await settle(app, pilot)
        await pilot.press("v", "j", "j")
        await pilot.pause()
        passage = reader.query_one(PassageView)
        assert passage.display and passage.has_focus
        first, last = passage.selection
        assert passage.origin == first and last - first in (2, 3)  # two lines down; a blank between is stepped over
        selected = [passage.render_line(i - passage.scroll_offset.y) for i in range(first, last + 1)]
        assert all(any(seg.style and seg.style.reverse for seg in strip) for strip in selected)
        unselected = passage.render_line(last + 1 - passage.scroll_offset.y)
        assert not any(seg.style and seg.style.reverse for seg in unselected)
        await pilot.press("y")
        await settle(app, pilot)
        assert not passage.display  # back to reading
        assert "1 quote" in screen_text(app)
    quotes = store.quotes(sid)
    assert len(quotes) == 1
    paras = article_paragraphs(store.story(sid), store.article(sid))
    quote = quotes[0]
    assert paras[quote.paragraph][quote.offset :].startswith(quote.text.split("\n")[0])
    block = note_text(paths)
    assert f"> {quote.text.splitlines()[0]}" in block and f"> — paragraph {quote.paragraph + 1}" in block


async def test_escape_leaves_the_selection_without_quoting_and_four_key_triage_is_unchanged(demo):
    _, store, paths = demo
    first = story_id_titled(store, "Ruwaished")
    apply_triage(store, paths.briefing_dir, TriageInput(first, ("syria",), Grade("B", "2"), "Earlier item."))
    target = next(
        sid
        for sid in store.story_ids()
        if store.story(sid).state is not State.TRIAGED and store.story(sid).cluster_size == 1
    )
    app = ReaderApp(store, paths)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_story(app, pilot, target)
        await pilot.press("v", "j", "escape")
        await pilot.pause()
        assert not reader.query_one(PassageView).display
        await pilot.press("3", "t", "s", "enter")
        await settle(app, pilot)
    assert store.quotes(target) == ()
    story = store.story(target)
    assert story.grade == Grade("B", "3") and story.tags == ("syria",) and story.state is State.TRIAGED


async def test_an_inline_note_is_saved_and_searchable_with_note_words(demo):
    _, store, paths = demo
    sid = story_id_titled(store, "Ruwaished")
    toasts = Toasts()
    app = ReaderApp(store, paths)
    async with app.run_test(size=(80, 24), message_hook=toasts.hook) as pilot:
        await open_story(app, pilot, sid)
        await pilot.press("i", *"ask [bold]the[/bold] desk", "enter")
        await settle(app, pilot)
        assert "Added to the note." in toasts
        assert "note: ask [bold]the[/bold] desk" in screen_text(app)  # markup shown as typed, not applied
        await pilot.press("escape", "slash", *"note:desk", "enter")
        await settle(app, pilot)
        assert app.main_screen.stories.story_ids == [sid]
    assert store.note_text(sid) == "ask [bold]the[/bold] desk"


async def test_the_sources_screen_lists_outlets_and_a_new_letter_asks_to_regrade(demo):
    from textual.widgets import DataTable

    from tui_reader.triage import default_letter
    from tui_reader.ui.screens.sources import SourcesScreen

    _, store, paths = demo
    graded = story_id_titled(store, "Ruwaished")
    outlet = store.story(graded).outlet
    apply_triage(store, paths.briefing_dir, TriageInput(graded, ("jordan",), Grade("B", "2"), "x", reason="sound"))
    waiting = [
        i for i in store.story_ids() if store.story(i).outlet == outlet and store.story(i).state is not State.TRIAGED
    ]
    assert waiting, "the demo outlet has untriaged stories"
    toasts = Toasts()
    app = ReaderApp(store, paths)
    async with app.run_test(size=(80, 24), message_hook=toasts.hook) as pilot:
        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, SourcesScreen)
        shown = screen_text(app)
        assert outlet in shown and "F unrated" in shown and "B2" in shown
        table = app.screen.query_one(DataTable)
        while app.screen.highlighted != outlet:
            await pilot.press("j")
        await settle(app, pilot)
        assert "B2 on" in screen_text(app) and "sound" in screen_text(app)  # its history, reason included
        await pilot.press("D", *"retracted twice", "enter")
        await pilot.pause()
        assert "Re-grade its" in screen_text(app)
        await pilot.press("y")
        await settle(app, pilot)
        assert any("is now D" in t and "re-graded" in t for t in toasts)
        assert table.get_row(outlet)[0].plain == "D"
        await pilot.press("escape")
        assert not isinstance(app.screen, SourcesScreen)
    assert {default_letter(store, store.story(i)) for i in waiting} == {"D"}
    assert [(e.letter, e.reason) for e in store.source_history(outlet)][-1] == ("D", "retracted twice")


async def test_saying_no_to_regrading_keeps_the_letter_the_stories_were_offered(demo):
    from tui_reader.triage import default_letter

    _, store, paths = demo
    graded = story_id_titled(store, "Ruwaished")
    outlet = store.story(graded).outlet
    apply_triage(store, paths.briefing_dir, TriageInput(graded, ("jordan",), Grade("B", "2"), "x"))
    waiting = [
        i for i in store.story_ids() if store.story(i).outlet == outlet and store.story(i).state is not State.TRIAGED
    ]
    app = ReaderApp(store, paths)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await settle(app, pilot)
        while app.screen.highlighted != outlet:
            await pilot.press("j")
        await pilot.press("E", "enter", "n")
        await settle(app, pilot)
    assert store.outlet_letter(outlet) == "E"
    assert {default_letter(store, store.story(i)) for i in waiting} == {"B"}


async def test_why_a_grade_goes_with_it_into_the_source_history(demo):
    _, store, paths = demo
    sid = story_id_titled(store, "Ruwaished")
    app = ReaderApp(store, paths)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(app, pilot, sid)
        await pilot.press("C", "R", *"single unnamed official", "enter")
        await pilot.pause()
        assert "why: single unnamed official" in screen_text(app)
        await pilot.press("3", "w")
        await settle(app, pilot)
    last = store.source_history(store.story(sid).outlet)[-1]
    assert (last.grade, last.story_id, last.reason) == ("C3", sid, "single unnamed official")
