"""Settings: the README's example is the truth (every key, at its default), and bad values say which key."""

import re
import tomllib
from pathlib import Path

import pytest

from tui_reader.config import Settings, load_settings, parse_settings
from tui_reader.errors import ConfigError

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_example() -> dict:
    block = re.search(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert block, "the README shows an example config.toml"
    return tomllib.loads(block.group(1))


def test_the_readme_example_lists_every_setting_at_its_default():
    example = readme_example()
    defaults = Settings()
    for section in ("paths", "store", "fetch", "ui", "cluster", "retention"):
        documented = example.get(section, {})
        keys = set(getattr(defaults, section).__struct_fields__)
        assert set(documented) == keys, f"[{section}] in the README differs from the settings: {set(documented) ^ keys}"
    assert parse_settings({k: v for k, v in example.items() if k != "keys"}) == defaults


@pytest.mark.parametrize(
    "toml, key",
    [
        ("[fetch]\nconcurrency = -1", "fetch.concurrency"),
        ("[fetch]\nauto_refresh_minutes = 'often'", "fetch.auto_refresh_minutes"),
        ("[fetch]\nread_timeout = 0", "fetch.read_timeout"),
        ("[ui]\nshow_feeds = 'yes'", "ui.show_feeds"),
        ("[fetch]\nspeed = 3", "fetch.speed"),
        ("[nope]\nx = 1", "[nope]"),
        ("[store]\nurl = 'mysql://u@h/db'", "store.url"),
        ("[store]\nurl = 'postgresql://u@h:port/db'", "store.url"),
        ("[store]\nurl = 'postgresql://u@h/my db'", "store.url"),
    ],
)
def test_a_bad_value_is_one_line_naming_its_key(tmp_path, toml, key):
    path = tmp_path / "config.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert key in str(err.value) and "\n" not in str(err.value)


def test_a_missing_file_means_defaults(tmp_path):
    assert load_settings(tmp_path / "absent.toml") == Settings()


def test_the_environment_names_the_store_over_the_config_and_a_bad_one_is_one_line_without_its_password(
    tmp_path, monkeypatch
):
    path = tmp_path / "config.toml"
    path.write_text("[store]\nurl = 'postgresql://desk@db.example/news'")
    assert load_settings(path).store.url == "postgresql://desk@db.example/news"
    monkeypatch.setenv("TUI_READER_STORE_URL", "postgresql://me@other.example/news")
    assert load_settings(tmp_path / "absent.toml").store.url == "postgresql://me@other.example/news"
    monkeypatch.setenv("TUI_READER_STORE_URL", "sqlite://me:s3cret@other.example/news")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert "TUI_READER_STORE_URL" in str(err.value) and "s3cret" not in str(err.value) and "\n" not in str(err.value)
