"""Enqueueing Celery tasks from a service, after the transaction commits.

Services name the task rather than import ``tracker.tasks``, which imports the services: the
import graph keeps one direction (tasks → services), and the task names (``name=`` on each
task in ``tracker/tasks.py``) are the contract. ``robust``: a broker outage never turns a
saved write into an error; the dispatcher's sweep finds the same work from the database.
"""

from django.db import transaction


def enqueue_on_commit(task_name: str, *args) -> None:
    def send() -> None:
        from celery import current_app

        current_app.send_task(task_name, args=list(args))

    transaction.on_commit(send, robust=True)
