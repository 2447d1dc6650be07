"""The structured brief in the TUI, keys only: B writes the BLUF, J a key judgement picked from completion."""

import subprocess
import sys
from datetime import date

from tests.screen import Toasts, screen_text, workers_done
from tests.test_app import story_id_titled
from tui_reader import briefing
from tui_reader.config import BriefSettings, Settings
from tui_reader.models import Grade, Judgement, TriageInput
from tui_reader.triage import apply_triage
from tui_reader.ui.app import ReaderApp
from tui_reader.ui.screens.brief_sections import BlufScreen, JudgementScreen
from tui_reader.ui.screens.briefing import BriefingScreen

STRUCTURED = Settings(brief=BriefSettings(structured=True))


async def settle(app, pilot):
    await pilot.pause()
    await workers_done(app)
    await pilot.pause()


async def test_structured_sections_are_written_from_the_briefing_screen(demo):
    server, store, paths = demo
    sid = story_id_titled(store, "Ruwaished")
    apply_triage(
        store, paths.briefing_dir, TriageInput(sid, ("jordan",), Grade.parse("B2"), "Two killed."), structured=True
    )
    note = briefing.note_path(paths.briefing_dir, date.today())
    app = ReaderApp(store, paths, STRUCTURED)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("b")
        await settle(app, pilot)
        shown = screen_text(app)
        assert "Bottom line up front" in shown and "Key judgements" in shown and "New since the last brief" in shown
        assert "Sourcing: B2" in shown
        await pilot.press("B")
        await pilot.pause()
        assert isinstance(app.screen, BlufScreen)
        await pilot.press(*"Jordan holds the border.", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, BriefingScreen)
        assert briefing.note_sections(note.read_text(encoding="utf-8"))["bluf"] == "Jordan holds the border."
        assert "Jordan holds the border." in screen_text(app)

        await pilot.press("J")
        await pilot.pause()
        assert isinstance(app.screen, JudgementScreen)
        await pilot.press("l", "i", "enter")  # completes to "likely" and moves on
        assert app.screen.query_one("#probability").value == "likely"
        assert app.screen.focused.id == "confidence"
        await pilot.press("m", "enter", *"Strikes continue this week", "enter")
        await settle(app, pilot)
        sections = briefing.note_sections(note.read_text(encoding="utf-8"))
        assert briefing.parse_judgements(sections["judgements"]) == [
            Judgement("likely", "moderate", "Strikes continue this week")
        ]
        assert "Likely (moderate confidence): Strikes continue this week" in screen_text(app)
        assert sections["bluf"] == "Jordan holds the border."  # the BLUF is kept as it was


async def test_a_judgement_outside_icd_203_is_refused_and_escape_writes_nothing(demo):
    server, store, paths = demo
    app = ReaderApp(store, paths, STRUCTURED)
    note = briefing.note_path(paths.briefing_dir, date.today())
    toasts = Toasts()
    async with app.run_test(size=(80, 24), message_hook=toasts.hook) as pilot:
        await pilot.press("b", "J")
        await pilot.pause()
        await pilot.press(*"probable", "enter", "h", "enter", *"It rains", "enter")
        await pilot.pause()
        assert isinstance(app.screen, JudgementScreen) and "unknown probability 'probable'" in screen_text(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, BriefingScreen) and not note.exists()
        await pilot.press("B", *"First line", "ctrl+s")  # no note yet: the BLUF creates a structured one
        await settle(app, pilot)
        sections = briefing.note_sections(note.read_text(encoding="utf-8"))
        assert sorted(sections) == ["bluf", "judgements", "new"] and sections["bluf"] == "First line"


async def test_a_note_locked_by_another_tui_reader_is_one_line_and_the_screen_stays_usable(demo, monkeypatch):
    server, store, paths = demo
    sid = story_id_titled(store, "Ruwaished")
    apply_triage(
        store, paths.briefing_dir, TriageInput(sid, ("jordan",), Grade.parse("B2"), "Two killed."), structured=True
    )
    note = briefing.note_path(paths.briefing_dir, date.today())
    before = note.read_bytes()
    monkeypatch.setattr(briefing, "LOCK_TIMEOUT", 0.3)
    monkeypatch.setattr(briefing, "_LOCKS", {})
    hold = "import sys, time; from filelock import FileLock\nwith FileLock(sys.argv[1]):\n    print('held', flush=True); time.sleep(30)"
    holder = subprocess.Popen(
        [sys.executable, "-c", hold, str(paths.briefing_dir / briefing.LOCK_NAME)], stdout=subprocess.PIPE, text=True
    )
    app, toasts = ReaderApp(store, paths, STRUCTURED), Toasts()
    try:
        assert holder.stdout.readline() == "held\n"
        async with app.run_test(size=(80, 24), message_hook=toasts.hook) as pilot:
            await pilot.press("b", "B", *"Blocked", "ctrl+s")
            await settle(app, pilot)
            assert any("stayed locked by another tui-reader" in t for t in toasts) and note.read_bytes() == before
            assert isinstance(app.screen, BriefingScreen)
            holder.kill()
            holder.wait()
            await pilot.press("B", *"Now it lands", "ctrl+s")
            await settle(app, pilot)
            assert briefing.note_sections(note.read_text(encoding="utf-8"))["bluf"] == "Now it lands"
    finally:
        holder.kill()
        holder.wait()
