"""The request id on every log line: set by the web edge for each request (or taken from a
trusted proxy's X-Request-ID), "-" outside a request (Celery tasks, commands)."""

import logging
from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True
