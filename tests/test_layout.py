"""The import contract covers the whole core: a new module cannot slip past it."""

import pkgutil
import tomllib
from pathlib import Path

import tui_reader

ROOT = Path(__file__).resolve().parent.parent


def test_every_core_module_is_under_the_no_textual_contract():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if "textual" in c["forbidden_modules"]]
    modules = {f"tui_reader.{m.name}" for m in pkgutil.iter_modules(tui_reader.__path__)}
    assert set(contract["source_modules"]) == modules - {"tui_reader.ui", "tui_reader.cli", "tui_reader.__main__"}
