"""A Redis cache that, when Redis does not answer, behaves as an empty cache.

Everything cached here can be worked out again from the database, so a Redis
outage costs speed, never a page: a read is a miss, a write is skipped, and
each is logged.
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _forgiving(method, fallback):
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            logger.warning("Cache %s failed, carrying on without it: %s", method.__name__, error)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    return call


def _default(key, default=None, *args, **kwargs):
    return default


class ForgivingRedisCache(RedisCache):
    get = _forgiving(RedisCache.get, _default)
    get_many = _forgiving(RedisCache.get_many, {})
    has_key = _forgiving(RedisCache.has_key, False)
    add = _forgiving(RedisCache.add, False)
    set = _forgiving(RedisCache.set, None)
    set_many = _forgiving(RedisCache.set_many, lambda data, *args, **kwargs: list(data))
    touch = _forgiving(RedisCache.touch, False)
    delete = _forgiving(RedisCache.delete, False)
    delete_many = _forgiving(RedisCache.delete_many, None)
    clear = _forgiving(RedisCache.clear, False)
    incr = _forgiving(RedisCache.incr, lambda key, delta=1, *args, **kwargs: delta)
