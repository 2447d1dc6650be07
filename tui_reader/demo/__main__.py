"""``python -m tui_reader.demo``: serve the demo site until Ctrl-C."""

from tui_reader.demo.server import main

main()
