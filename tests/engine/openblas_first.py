"""Import this first in a test module that runs the model: it loads the system OpenBLAS for MLX.

`import engine` does it (see `engine.blas`), and it must happen before mlx's first import or
the model runs ~7x slower. But ``.venv/bin/pytest``, unlike ``python -m pytest``, puts ``tests/``
ahead of the checkout on ``sys.path``, and then ``import engine`` finds the ``tests/engine``
folder (a namespace package) and never runs ``engine/__init__.py``. This asks for it directly.
"""

from engine.blas import preload_openblas

preload_openblas()
