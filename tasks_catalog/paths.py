"""Where the reviewed catalog files live inside the package."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")
