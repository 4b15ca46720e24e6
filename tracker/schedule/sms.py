"""SMS sending behind a small interface, chosen with the SMS_BACKEND setting.

A gateway backend subclasses ``SmsBackend`` and raises ``TransientDeliveryError`` for
failures worth retrying (timeouts, rate limits, 5xx), any other exception for permanent ones.
The default logs the message, for the demo and for sites without a gateway yet.
"""

import logging
from abc import ABC, abstractmethod

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class TransientDeliveryError(Exception):
    """A delivery failure that may succeed if tried again later."""


class SmsBackend(ABC):
    @abstractmethod
    def send(self, *, to: str, body: str) -> None:
        """Send ``body`` to the phone number ``to``."""


class LoggingSmsBackend(SmsBackend):
    def send(self, *, to: str, body: str) -> None:
        log.info("SMS to %s: %s", to, body)


def get_sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()
