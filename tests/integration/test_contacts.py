"""The 通讯录: the migration, import (checked whole, all or nothing), export with secrets masked,
the office's contact — through the functions and the command line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import inspect, select
from typer.testing import CliRunner

from db import make_engine, upgrade
from db.engine import alembic_config
from db.models import OfficeContact, UnitContact
from duban.cli import app
from tasks_catalog.contacts import ContactsError, office_contact
from tasks_catalog.contacts_sheet import export_contacts, import_contacts

from ..conftest import NOW

HEADERS = ["单位", "联络员", "手机", "邮箱", "钉钉UserID", "分管领导", "领导手机", "领导邮箱",
           "钉钉机器人", "加签密钥", "企业微信机器人"]  # fmt: skip
TOKEN = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
SECRET = "SEC0123456789abcdef0123456789abcdef"
WECOM = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
STI = ["市科技局", "王芳", "138 0000 0001", "sti@duban.test", "wangfang01", "李强", "13900000002",
       "sti.leader@duban.test", f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}",
       SECRET, f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM}"]  # fmt: skip
AMR = ["市场监管局", "赵敏", "13800000003", "amr@duban.test", "", "", "", "", "", "", ""]


def workbook(*rows: list[str], headers: list[str] = HEADERS, office: tuple[str, str] | None = None) -> bytes:  # fmt: skip
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "通讯录"
    ws.append(["舟山市标准强市建设领导小组成员单位联络员通讯录"])  # a title row above the header
    ws.append(headers)
    for row in rows:
        ws.append(row)
    if office is not None:
        sheet = wb.create_sheet("办公室")
        sheet.append(["联系人", "联系电话"])
        sheet.append(list(office))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def stored(sessions) -> dict[str, UnitContact]:
    with sessions() as session:
        return {c.unit_id: c for c in session.scalars(select(UnitContact))}


def test_the_migration_adds_and_removes_the_contact_tables(tmp_path: Path) -> None:
    from alembic import command

    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    assert {"unit_contact", "office_contact"} <= set(inspect(engine).get_table_names())
    command.downgrade(alembic_config(engine), "0009_unit_order")
    assert not {"unit_contact", "office_contact"} & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert "unit_contact" in inspect(engine).get_table_names()
    engine.dispose()


def test_a_contact_list_is_matched_by_name_and_alias_and_stored(runtime) -> None:
    data = workbook(STI, AMR, office=("陈静", "0580-2280000"))
    with runtime.sessions.begin() as session:
        done = import_contacts(session, data, "通讯录.xlsx", NOW, "test")
    assert (done.added, done.changed, done.office) == (2, 0, True)
    contacts = stored(runtime.sessions)
    sti, amr = (
        contacts["zs-sti"],
        contacts["zs-amr"],
    )  # 市科技局 is also Jiaxing's: the file is Zhoushan's
    assert (sti.liaison_name, sti.liaison_mobile, sti.liaison_userid) == (
        "王芳",
        "13800000001",
        "wangfang01",
    )
    assert (sti.robot_token, sti.robot_secret, sti.wecom_key) == (TOKEN, SECRET, WECOM)
    assert amr.liaison_email == "amr@duban.test" and amr.robot_token is None
    with runtime.sessions() as session:
        assert office_contact(session) == ("陈静", "0580-2280000")


def test_bad_rows_are_named_by_cell_and_nothing_is_applied(runtime) -> None:
    with runtime.sessions.begin() as session:
        import_contacts(session, workbook(AMR), "通讯录.xlsx", NOW, "test")
    bad = list(STI)
    bad[2], bad[3], bad[9] = "1380000", "sti at duban", "not-a-secret-but-private"
    rows = [bad, ["市科学局", "某人"], ["市场监管局", "赵敏", "13800000009"], ["市场监管局"]]
    with pytest.raises(ContactsError) as caught, runtime.sessions.begin() as session:
        import_contacts(session, workbook(*rows), "通讯录.xlsx", NOW, "test")
    problems = caught.value.problems
    assert problems[:3] == [
        "通讯录.xlsx：通讯录!C3（手机）：请写 11 位手机号（如 13800000000）或带区号的电话",
        "通讯录.xlsx：通讯录!D3（邮箱）：请写一个邮箱地址（如 name@example.gov.cn），多个邮箱请只留一个",
        "通讯录.xlsx：通讯录!J3（加签密钥）：请粘贴机器人安全设置「加签」中以 SEC 开头的密钥",
    ]
    assert problems[3].startswith(
        "通讯录.xlsx：通讯录!A4（单位）：单位目录中没有「市科学局」，是否指："
    )
    assert (
        problems[4]
        == "通讯录.xlsx：通讯录!A6（单位）：市市场监管局已在第 5 行写过；每个单位只写一行"
    )
    assert not any("not-a-secret-but-private" in p for p in problems)
    assert stored(runtime.sessions)["zs-amr"].liaison_mobile == "13800000003"  # untouched
    assert "zs-sti" not in stored(runtime.sessions)


def test_export_masks_secrets_and_imports_back_unchanged(runtime, tmp_path: Path) -> None:
    with runtime.sessions.begin() as session:
        import_contacts(
            session, workbook(STI, AMR, office=("陈静", "0580-2280000")), "a.xlsx", NOW, "t"
        )
    path = tmp_path / "out" / "通讯录.xlsx"
    with runtime.sessions() as session:
        assert export_contacts(session, path) == 2
    data = path.read_bytes()
    cells = [
        str(c.value) for ws in load_workbook(path).worksheets for r in ws.iter_rows() for c in r
    ]
    joined = "\n".join(cells)
    for secret in (TOKEN, SECRET, WECOM, TOKEN[1:-1], SECRET[3:]):
        assert secret not in joined
    assert "a...0" in cells and "****" in cells and "13800000001" in cells
    ws = load_workbook(path)["通讯录"]
    ids = [row[1].value for row in ws.iter_rows(min_row=2)]
    assert "zs-sti" in ids and all(i.startswith("zs-") for i in ids)  # the plans' jurisdiction
    assert [c.value for c in ws[1]][:2] == ["单位", "单位编号"] and ws["C2"].data_type in (
        "s",
        "inlineStr",
    )
    with runtime.sessions.begin() as session:
        again = import_contacts(session, data, "通讯录.xlsx", NOW, "t")
    assert (again.added, again.changed, again.unchanged) == (0, 0, 2)
    assert stored(runtime.sessions)["zs-sti"].robot_secret == SECRET  # the mask kept it


def test_a_file_without_the_unit_header_says_which_columns_to_write(runtime) -> None:
    with pytest.raises(ContactsError) as caught, runtime.sessions.begin() as session:
        import_contacts(session, workbook(["x"], headers=["名称", "电话"]), "b.xlsx", NOW, "t")
    assert caught.value.problems[0].startswith(
        "b.xlsx：找不到表头「单位」；请在第一行写列名：单位、联络员"
    )
    with pytest.raises(ContactsError) as caught, runtime.sessions.begin() as session:
        import_contacts(session, b"not a workbook", "c.xlsx", NOW, "t")
    assert "另存为 .xlsx" in caught.value.problems[0]


def test_the_commands_import_export_and_set_the_office_contact(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DUBAN_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("DUBAN_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["catalog", "load"]).exit_code == 0
    good, bad = tmp_path / "通讯录.xlsx", tmp_path / "错误.xlsx"
    good.write_bytes(workbook(STI, AMR))
    bad.write_bytes(workbook(["市科技局", "王芳", "12"]))
    result = runner.invoke(app, ["contacts", "import", str(good)])  # five plans, four places
    assert result.exit_code == 1 and "「市科技局」不止一个单位" in result.stderr
    result = runner.invoke(app, ["contacts", "import", str(bad), "--jurisdiction", "zhoushan"])
    assert result.exit_code == 1 and "错误.xlsx：通讯录!C3（手机）" in result.stderr
    assert "1 处需要修改，通讯录未作任何改动" in result.stderr
    result = runner.invoke(app, ["contacts", "import", str(good), "--jurisdiction", "zhoushan"])
    assert result.exit_code == 0, result.output
    assert "新增 2 个单位" in result.stdout
    result = runner.invoke(app, ["contacts", "office"])
    assert result.exit_code == 1 and "尚未设置办公室联系人" in result.stderr
    result = runner.invoke(app, ["contacts", "office", "--name", "陈静", "--phone", "0580-2280000"])
    assert result.exit_code == 0
    shown = runner.invoke(app, ["contacts", "office"])
    assert shown.exit_code == 0 and shown.stdout == "联系人：陈静  联系电话：0580-2280000\n"
    half = runner.invoke(app, ["contacts", "office", "--name", "陈静"])
    assert half.exit_code == 2 and "请同时写 --name 和 --phone" in half.stderr
    result = runner.invoke(app, ["contacts", "office", "--name", "陈静", "--phone", "x"])
    assert result.exit_code == 1 and "联系电话" in result.stderr
    out = tmp_path / "export.xlsx"
    result = runner.invoke(app, ["contacts", "export", "--output", str(out)])
    assert result.exit_code == 0 and "2 个单位有联系人" in result.stdout
    ws = load_workbook(out)["办公室"]
    assert [ws["A2"].value, ws["B2"].value] == ["陈静", "0580-2280000"]
    with make_engine(f"sqlite:///{tmp_path / 'var' / 'duban.db'}").connect() as conn:
        assert conn.execute(select(OfficeContact.person)).scalar_one() == "陈静"
