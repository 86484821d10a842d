"""What the bundled executable runs: the ``transcript-editor`` entry point, ``ui.app.main``.

The console-script wrapper pip writes cannot be frozen, so PyInstaller analyses this file instead.
"""

import sys

from ui.app import main

if __name__ == "__main__":
    sys.exit(main())
