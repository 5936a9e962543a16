"""The unit's web form means what it says (issue 19): a partial answer is a 暂存 with a banner
naming what is missing, the request stays open; implausible values are refused beside their
field unless the unit explains them; 存在问题, 下步计划, 填报人, 联系电话 are kept; each task
shows its light."""

from __future__ import annotations

import re

from sqlalchemy import select

from db.models import IndicatorValue, Notification, ProgressRow, Request, Submission, Target
from reporting import reminders

from .test_portal import csrf_of, link, portal  # noqa: F401  (the fixture)


def ids(page: str) -> tuple[list[str], list[str]]:
    return re.findall(r'name="status_(\d+)"', page), re.findall(r'name="value_(\d+)"', page)


def full_form(page: str) -> dict[str, str]:
    tasks, targets = ids(page)
    form = {"csrf": csrf_of(page), "filler": "张三", "phone": "0580-2020000"}
    form |= {f"status_{t}": "推进中" for t in tasks} | {f"text_{t}": "按计划推进" for t in tasks}
    form |= {f"value_{t}": "12" for t in targets}
    return form


def status(rt, request) -> str:
    with rt.sessions() as session:
        return session.get(Request, request.id).status


def test_a_form_answering_one_task_is_a_draft_that_names_what_is_missing(portal):  # noqa: F811
    rt, client, requests, _ = portal
    amr = requests["zs-amr"]
    url = link(rt, amr)
    page = client.get(url).text
    tasks, targets = ids(page)
    form = {"csrf": csrf_of(page), f"status_{tasks[0]}": "推进中", f"text_{tasks[0]}": "已立项"}
    r = client.post(url, data=form)
    assert r.status_code == 200 and "报送成功" not in r.text
    assert "已暂存，尚未计为报送。报送未完成：" in r.text
    assert f"{len(tasks) - 1} 项任务、{len(targets)} 项指标尚未填写完整" in r.text
    assert f'href="#status_{tasks[1]}"' in r.text and f'href="#value_{targets[0]}"' in r.text
    assert status(rt, amr) == "pending"
    with rt.sessions() as session:
        sub = session.scalar(select(Submission))
        assert sub.complete is False and len(sub.missing) >= len(tasks) - 1 + len(targets)
        assert session.scalar(select(Notification).where(Notification.kind == "receipt")) is None
        open_codes = [
            i["code"] for i in reminders.open_items(session, rt.calendar, rt.var_dir)["zs-amr"]
        ]
    assert amr.code in open_codes  # the reminders go on
    again = client.get(url).text
    assert "上次保存的是暂存" in again and "已立项" in again
    # completing it later is a real submission
    r = client.post(url, data=full_form(again))
    assert r.status_code == 200 and "报送成功" in r.text and "任务进展" in r.text
    assert status(rt, amr) == "submitted"
    with rt.sessions() as session:
        latest = session.scalars(select(Submission).order_by(Submission.id.desc())).first()
        assert latest.complete and (latest.filler, latest.phone) == ("张三", "0580-2020000")


def test_no_news_and_reasons_complete_a_submission_and_problems_are_kept(portal):  # noqa: F811
    rt, client, requests, _ = portal
    amr = requests["zs-amr"]
    url = link(rt, amr)
    page = client.get(url).text
    tasks, targets = ids(page)
    form = {"csrf": csrf_of(page)}
    form |= {f"status_{t}": "推进中" for t in tasks} | {f"no_news_{t}": "1" for t in tasks}
    form |= {f"reason_{t}": "年度数据，年底统计" for t in targets}
    form |= {
        f"status_{tasks[0]}": "受阻",
        f"problems_{tasks[0]}": "用地未落实",
        f"next_{tasks[0]}": "报请协调",
    }
    r = client.post(url, data=form)
    assert "报送成功" in r.text, r.text
    with rt.sessions() as session:
        row = session.scalars(select(ProgressRow).where(ProgressRow.status == "受阻")).one()
        assert (row.text, row.problems, row.next_steps) == (
            "本期无新进展",
            "用地未落实",
            "报请协调",
        )


def test_blocked_without_a_problem_is_named_beside_the_field(portal):  # noqa: F811
    rt, client, requests, _ = portal
    url = link(rt, requests["zs-amr"])
    page = client.get(url).text
    tasks, _ = ids(page)
    form = full_form(page) | {f"status_{tasks[0]}": "受阻", f"text_{tasks[0]}": "本期无新进展"}
    r = client.post(url, data=form)
    assert "报“受阻”的任务请在存在问题中说明受阻原因" in r.text
    assert status(rt, requests["zs-amr"]) == "pending"


def test_an_implausible_value_is_refused_beside_its_field_until_explained(portal):  # noqa: F811
    rt, client, requests, _ = portal
    amr = requests["zs-amr"]
    url = link(rt, amr)
    page = client.get(url).text
    _, targets = ids(page)
    with rt.sessions.begin() as session:
        share = session.get(Target, int(targets[-1]))
        share.name, share.measure, share.kind = "产品质量监督抽查合格率", "%", "level"
    for value, words in (("108.6", "是比率，填写的 108.6% 超过 100%"),):
        r = client.post(url, data=full_form(page) | {f"value_{targets[-1]}": value})
        assert r.status_code == 422 and words in r.text and "提交未成功" in r.text
        assert f'id="note_{targets[-1]}"' in r.text  # the 说明 field is offered
    r = client.post(url, data=full_form(page) | {f"value_{targets[0]}": "8.2"})
    assert r.status_code == 422 and "应为整数，填写的是 8.2" in r.text
    with rt.sessions() as session:
        assert session.scalar(select(Submission)) is None  # nothing half-written
    explained = full_form(page) | {
        f"value_{targets[-1]}": "108.6",
        f"note_{targets[-1]}": "含复检合格批次",
    }
    r = client.post(url, data=explained)
    assert "报送成功" in r.text
    with rt.sessions() as session:
        value = session.scalars(
            select(IndicatorValue).where(IndicatorValue.target_id == int(targets[-1]))
        ).one()
        assert float(value.value) == 108.6 and value.note == "含复检合格批次"


def test_each_task_shows_its_light_and_reason(portal):  # noqa: F811
    rt, client, requests, _ = portal
    page = client.get(link(rt, requests["zs-amr"])).text
    lights = re.findall(
        r'class="light light-(\w+)" id="light_\d+">(.)</span> <span class="muted">([^<]+)<', page
    )
    tasks, _ = ids(page)
    assert len(lights) == len(tasks)
    assert {colour for colour, _, _ in lights} <= {"green", "yellow", "red"}
    assert all(
        reason.startswith(("距完成时限", "已超过完成时限", "今天是完成时限"))
        for _, _, reason in lights
    )
