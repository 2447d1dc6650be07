"""Every directory and file location in one place.

Locations come from platformdirs (XDG on Linux) unless ``--home DIR`` gives one root
for everything (tests, a second profile). Nothing is created at import time: the store and
the briefing writer create their own directories when they first write.
"""

from __future__ import annotations

from pathlib import Path

from msgspec import Struct

APP_NAME = "tui-reader"


class Paths(Struct, frozen=True):
    """Resolved locations for one profile."""

    config_dir: Path
    data_dir: Path
    briefing_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def db_file(self) -> Path:
        return self.data_dir / "tui-reader.db"

    @classmethod
    def for_home(cls, home: str | Path | None = None) -> "Paths":
        """Paths under one root when ``home`` is given, else the platform defaults."""
        if home is not None:
            root = Path(home).expanduser().resolve()
            return cls(
                config_dir=root,
                data_dir=root / "data",
                briefing_dir=root / "briefings",
            )
        import platformdirs

        return cls(
            config_dir=Path(platformdirs.user_config_dir(APP_NAME)),
            data_dir=Path(platformdirs.user_data_dir(APP_NAME)),
            briefing_dir=Path(platformdirs.user_documents_dir()) / APP_NAME / "briefings",
        )

    def with_overrides(self, *, briefing_dir: str | None = None, data_dir: str | None = None) -> "Paths":
        """Apply directory overrides from the config file."""
        return Paths(
            config_dir=self.config_dir,
            data_dir=Path(data_dir).expanduser() if data_dir else self.data_dir,
            briefing_dir=Path(briefing_dir).expanduser() if briefing_dir else self.briefing_dir,
        )
