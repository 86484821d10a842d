#!/usr/bin/env bash
# Creates the virtual environment $1 with interpreter $2, or repairs one that has no working pip.
#
# A failed `python3 -m venv` (Debian without python3-venv) leaves $1/bin/python behind but no pip;
# checking for bin/python alone then skipped this step for ever, until `make clean` (issue 16).
# So the test is "pip runs", a failed creation removes what it left, and running it twice is safe.
set -euo pipefail

venv="${1:?usage: ensure-venv.sh VENV [PYTHON]}"
python="${2:-python3}"

"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %d.%d)" % sys.version_info[:2])'

if "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    exit 0
fi
if [ -e "$venv/bin/python" ]; then
    echo "$venv has no working pip (a set-up that failed half-way): creating it again" >&2
fi
if ! "$python" -m venv --clear "$venv"; then
    rm -rf -- "$venv"
    echo "'$python -m venv' failed. On Debian/Ubuntu: sudo apt-get install python3-venv," \
        "then run make again." >&2
    exit 1
fi
