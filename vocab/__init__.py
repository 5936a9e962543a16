"""The project's shared vocabulary: the statuses, roles and kinds every layer names (as
`StrEnum`s, from the catalog schema through the models to the reports), their Chinese words
and the zh-CN formatting of dates, periods and numbers, and the typed payloads that travel
from the cycle to the messages.

It imports nothing of ours, so every package may import it (`db` included, for its CHECK
constraints).
"""
