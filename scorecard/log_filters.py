"""Log filters named in settings.LOGGING. Loaded while logging is configured,
before the apps are ready: nothing here may import a model or Django's auth."""

import logging


class RefusalWithoutTraceback(logging.Filter):
    """Keeps each refused request to one line in the log. A 403 is logged by
    RefusedAccessLogMiddleware (who, from where, why), so Django's own record of
    it, which carries a traceback, is dropped; any other 4xx record keeps its
    message and loses its traceback. Errors (5xx) are untouched."""

    DUPLICATES = {"django.request", "django.security.csrf"}

    def filter(self, record):
        status = getattr(record, "status_code", None)
        if status is None or status >= 500:
            return True
        if status == 403 and record.name in self.DUPLICATES:
            return False
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True
