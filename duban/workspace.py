"""An office workspace: a folder with `duban.toml`, the office's own catalog, calendar and var/.

    duban init zhoushan-office --jurisdiction zhoushan
    cd zhoushan-office && duban catalog import 文件.docx

Every command run in the folder (or below it) reads `duban.toml`; relative paths in it are
relative to the folder. The shipped catalogs (tasks_catalog/data) are examples, never an
office's defaults: a workspace loads only the plans in its own catalog folder.
"""

from __future__ import annotations

import tomllib
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic.fields import FieldInfo
from pydantic_settings import PydanticBaseSettingsSource

WORKSPACE_FILE = "duban.toml"
CATALOG_DIR = "catalog"
CALENDAR_FILE = "calendar.yaml"
# Where a workspace keeps things unless its duban.toml says otherwise.
LAYOUT = {"var_dir": "var", "catalog_dir": CATALOG_DIR, "calendar_file": CALENDAR_FILE}


class WorkspaceError(ValueError):
    pass


def find_workspace(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding a duban.toml; None outside a workspace."""
    for folder in (start, *start.parents):
        if (folder / WORKSPACE_FILE).is_file():
            return folder
    return None


def _is_path(info: FieldInfo) -> bool:
    ann = info.annotation
    return ann is Path or Path in typing.get_args(ann)


def read_workspace(folder: Path, fields: dict[str, FieldInfo]) -> dict[str, Any]:
    """The settings `folder/duban.toml` gives, paths made absolute, the layout's defaults filled in."""
    path = folder / WORKSPACE_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise WorkspaceError(f"{path}：无法读取设置文件（{exc}），请按 TOML 格式改正") from exc
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise WorkspaceError(
            f"{path}：没有这些设置项：{'、'.join(unknown)}；可用的设置项见文件中的说明"
        )
    values: dict[str, Any] = {"workspace": folder, **LAYOUT, **raw}
    for key, value in values.items():
        if _is_path(fields[key]) and isinstance(value, str):
            values[key] = (folder / value).resolve()
    return values


class WorkspaceSource(PydanticBaseSettingsSource):
    """Settings from the duban.toml of the workspace the command runs in."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # __call__ reads the whole file at once

    def __call__(self) -> dict[str, Any]:
        folder = find_workspace(Path.cwd())
        if folder is None:
            return {}
        return read_workspace(folder, self.settings_cls.model_fields)


def create_workspace(
    folder: Path, jurisdiction: str, name: str | None, shipped: Path, office: str | None = None
) -> list[Path]:
    """Create a workspace in `folder` (new or empty) for `jurisdiction`; return what was written.

    The unit directory is the shipped one's entry for `jurisdiction`, or an empty one (named
    `name`) for a jurisdiction Duban does not ship."""
    if (folder / WORKSPACE_FILE).exists():
        raise WorkspaceError(f"{folder} 已经是督办工作目录（有 {WORKSPACE_FILE}），未作任何改动")
    entry = _jurisdiction_entry(shipped, jurisdiction, name)
    catalog = folder / CATALOG_DIR
    catalog.mkdir(parents=True, exist_ok=True)
    (folder / "var").mkdir(exist_ok=True)
    units = catalog / "units.yaml"
    units.write_text(
        UNITS_HEADER
        + yaml.safe_dump(
            {"jurisdictions": [entry]}, allow_unicode=True, sort_keys=False, width=100
        ),
        encoding="utf-8",
    )
    calendar = folder / CALENDAR_FILE
    calendar.write_text(CALENDAR_TEXT, encoding="utf-8")
    settings = folder / WORKSPACE_FILE
    office = office or f"{entry['name']}督办工作领导小组办公室"
    settings.write_text(
        SETTINGS_TEXT.format(jurisdiction=jurisdiction, office=office), encoding="utf-8"
    )
    return [settings, units, calendar, folder / "var"]


def _jurisdiction_entry(shipped: Path, code: str, name: str | None) -> dict[str, Any]:
    raw = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    for entry in raw["jurisdictions"]:
        if entry["code"] == code:
            return dict(entry)
    if not name:
        known = "、".join(e["code"] for e in raw["jurisdictions"])
        raise WorkspaceError(
            f"督办没有自带辖区“{code}”的单位名录（自带的有：{known}）；"
            f"新辖区请用 --name 写明其名称，例如 --name 开封市"
        )
    return {"code": code, "name": name, "units": []}


UNITS_HEADER = """\
# 单位名录 unit directory of this workspace: canonical names, aliases (别名), kinds
# (department / government / party / agency / office / collective), the official order.
# 单位的联系方式不写在这里，写在 Apprise 配置文件中（见 duban.toml 的 apprise_config）。
"""

CALENDAR_TEXT = """\
# 本办的调休与节假日调整（在国家法定节假日之外）：日期写成 YYYY-MM-DD。
# workdays：原为休息日、本办上班的日子；holidays：原为工作日、本办放假的日子。
workdays: []
holidays: []
"""

SETTINGS_TEXT = """\
# 督办工作目录的设置 (settings of this office workspace). 在本目录（或其子目录）中运行的
# 每个 duban 命令都读取本文件；相对路径相对于本目录。环境变量 DUBAN_<名称> 优先于本文件。
# 密码、密钥不要写在这里：写在单独的文件里，用 *_file 指向它（例如 secret_key_file）。

jurisdiction = "{jurisdiction}"     # 本办辖区（catalog/units.yaml 中的 code）
office_name = "{office}"            # 通知落款
programme = "标准强市建设"           # 通知标题【…】中的工作名称
office_email = "office@duban.invalid"
mail_domain = "duban.invalid"
send_hours = "8-20"                 # 工作日中向单位发送消息的时段（北京时间）
portal_url = "http://127.0.0.1:8000"
tick_cron = "0 9 * * *"             # 每日巡检时间（duban serve）

# 以下为默认值，一般不用改：
# catalog_dir = "catalog"           # 本办的政策文件与单位名录
# calendar_file = "calendar.yaml"   # 调休与节假日调整
# var_dir = "var"                   # 数据库、待发消息、报表
# database_url_file = "secrets/database_url"   # PostgreSQL：连接串（含密码）所在文件
# secret_key_file = "secrets/secret.key"       # 签名密钥所在文件；默认 var/secret.key
# apprise_config = "apprise.yml"    # 各单位的邮件、钉钉渠道；不设则消息写入 var/outbox/
"""
