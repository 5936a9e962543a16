"""Render a .docx or .xlsx the way a reader would see it: LibreOffice to PDF, then pdftoppm to
PNG pages. Chinese 公文 fonts (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体, 宋体) are rarely
installed on a build machine: they are mapped to the Noto CJK fonts for the render only (a
fontconfig file of its own), so headings in 黑体 still look like headings."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

SERIF, SANS = "Noto Serif CJK SC", "Noto Sans CJK SC"
ALIASES = {
    "仿宋_GB2312": SERIF, "仿宋": SERIF, "FangSong": SERIF, "楷体_GB2312": SERIF, "楷体": SERIF,
    "KaiTi": SERIF, "宋体": SERIF, "SimSun": SERIF, "黑体": SANS, "SimHei": SANS,
}  # fmt: skip
BOLD = ("方正小标宋简体",)


def available() -> bool:
    return shutil.which("soffice") is not None and shutil.which("pdftoppm") is not None


def _fonts_conf(folder: Path) -> Path:
    rules = [
        f'<match target="pattern"><test name="family"><string>{name}</string></test>'
        f'<edit name="family" mode="assign" binding="strong"><string>{to}</string></edit></match>'
        for name, to in ALIASES.items()
    ] + [
        f'<match target="pattern"><test name="family"><string>{name}</string></test>'
        f'<edit name="family" mode="assign" binding="strong"><string>{SERIF}</string></edit>'
        '<edit name="weight" mode="assign"><const>bold</const></edit></match>'
        for name in BOLD
    ]
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        + "".join(rules)
        + "</fontconfig>",
        encoding="utf-8",
    )
    return conf


def to_pdf(document: Path, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "FONTCONFIG_FILE": str(_fonts_conf(Path(tmp))),
            "HOME": tmp,
        }  # a profile of its own: no clash with another LibreOffice running
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out_dir), str(document)],
            check=True, capture_output=True, timeout=300, env=env,
        )  # fmt: skip
    return out_dir / document.with_suffix(".pdf").name


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    return next(
        int(line.split()[-1]) for line in info.stdout.splitlines() if line.startswith("Pages:")
    )


def to_png(pdf: Path, out_dir: Path, dpi: int = 60) -> list[Path]:
    prefix = out_dir / pdf.stem
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True)
    return sorted(out_dir.glob(f"{pdf.stem}-*.png"))
