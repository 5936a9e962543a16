"""What the report files are called: a safe name on disk (ASCII: plan slug and period label,
unique per plan and period) and the Chinese name a person downloads or receives
(标准强市建设2025年第三季度工作进展情况（附表）.xlsx).

The portal serves a file by its disk name and offers it under its Chinese name with
`content_disposition` (RFC 6266: an ASCII `filename` for old clients, the UTF-8 `filename*`
every current browser and mail client uses); a mail attaches it under the Chinese name.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from vocab import zh

# What Windows, macOS and the mail clients refuse in a file name, and control characters.
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


@dataclass(frozen=True)
class ReportPaths:
    """A period's report files on disk."""

    xlsx: Path
    html: Path
    notice: Path  # the 通报 (.docx)


@dataclass(frozen=True)
class DownloadNames:
    """The Chinese names a person sees for a period's report files."""

    xlsx: str
    html: str
    notice: str


def report_paths(out_dir: Path, plan_slug: str, period_label: str) -> ReportPaths:
    """`<slug>-<label>.xlsx`, `.html` and `<slug>-<label>-notice.docx` in `out_dir`."""
    base = f"{plan_slug}-{period_label}"
    return ReportPaths(
        out_dir / f"{base}.xlsx", out_dir / f"{base}.html", out_dir / f"{base}-notice.docx"
    )


def year_paths(out_dir: Path, plan_slug: str, year: int) -> tuple[Path, Path]:
    """The yearly 考核's files on disk: `<slug>-<year>-assessment.xlsx` and `.docx`."""
    base = out_dir / f"{plan_slug}-{year}-assessment"
    return base.with_suffix(".xlsx"), base.with_suffix(".docx")


def safe_filename(text: str) -> str:
    """`text` without the characters a file name may not hold (they become －)."""
    return UNSAFE.sub("－", text).strip(" .") or "报告"


def subject(programme: str, plan_short: str | None = None) -> str:
    """What the files are about: the programme, or the plan's short title where several plans
    share one programme (two plans' 2025年第三季度 files would otherwise have one name)."""
    return plan_short or programme


def download_names(
    programme: str, period_label: str, plan_short: str | None = None
) -> DownloadNames:
    """标准强市建设2025年第三季度工作进展情况（附表）.xlsx, ….html, …通报.docx."""
    stem = safe_filename(
        f"{subject(programme, plan_short)}{zh.period_name(period_label)}工作进展情况"
    )
    return DownloadNames(f"{stem}（附表）.xlsx", f"{stem}.html", f"{stem}通报.docx")


def year_download_names(
    programme: str, year: int, plan_short: str | None = None
) -> tuple[str, str]:
    """2025年度标准强市建设工作考核结果.xlsx and 2025年度标准强市建设工作考核结果的通报.docx."""
    stem = safe_filename(f"{year}年度{subject(programme, plan_short)}工作考核结果")
    return f"{stem}.xlsx", f"{stem}的通报.docx"


# A title's issuer and form, around what it is about: 中共舟山市委舟山市人民政府关于推进标准强市
# 建设的实施意见 → 推进标准强市建设.
_ABOUT = re.compile(
    r"^(?:.*?关于)?(?P<about>.+?)(?:的)?(?:实施意见|指导意见|意见|工作方案|实施方案|方案|通知)?$"
)


def short_title(plan_title: str) -> str:
    """A plan's short title for file names: what its title says it is about."""
    found = _ABOUT.match(plan_title.strip())
    about = found.group("about") if found else plan_title
    return about or plan_title


def content_disposition(download_name: str, disk_name: str) -> str:
    """The Content-Disposition header that offers a file under its Chinese name."""
    ascii_name = disk_name.encode("ascii", "replace").decode("ascii").replace('"', "")
    quoted = urllib.parse.quote(download_name, safe="")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"
