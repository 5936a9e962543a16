"""The cycle's services, now in their own modules (`opening`, `work`, `requests`,
`templates`); these names are kept here while other branches still import them from
`reporting.cycle`."""

from reporting.opening import OPEN_GRACE, ensure_periods, open_periods, reporting_of
from reporting.requests import (
    ActionError,
    due_end,
    extend,
    find_request,
    latest_submission,
    open_requests,
    previous_answers,
    request_code,
    set_status,
    waive,
)
from reporting.schedule import SHANGHAI
from reporting.templates import ensure_template, template_for, template_path
from reporting.work import (
    TARGET_COLUMNS,
    TASK_COLUMNS,
    TargetInfo,
    TaskInfo,
    UnitWork,
    assignments_of,
    goal_text,
    unit_work,
    unit_work_for_request,
    units_with_work,
    work_by_plans,
    work_by_unit,
)

__all__ = [
    "OPEN_GRACE",
    "SHANGHAI",
    "TARGET_COLUMNS",
    "TASK_COLUMNS",
    "ActionError",
    "TargetInfo",
    "TaskInfo",
    "UnitWork",
    "assignments_of",
    "due_end",
    "ensure_periods",
    "ensure_template",
    "extend",
    "find_request",
    "goal_text",
    "latest_submission",
    "open_periods",
    "open_requests",
    "previous_answers",
    "reporting_of",
    "request_code",
    "set_status",
    "template_for",
    "template_path",
    "unit_work",
    "unit_work_for_request",
    "units_with_work",
    "waive",
    "work_by_plans",
    "work_by_unit",
]
