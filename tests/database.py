"""The test database as other processes and sessions reach it: a second session
(to hold a lock, or to act as the application's role), a worker, a web server."""

import psycopg
from django.db import connection


def address(user: str | None = None) -> dict:
    """libpq keywords; the socket directory may be in OPTIONS (dj-database-url)."""
    db = connection.settings_dict
    return {
        "dbname": db["NAME"],
        "user": user or db["USER"],
        "host": db["HOST"] or db["OPTIONS"].get("host", ""),
        "port": db["PORT"] or db["OPTIONS"].get("port", ""),
    }


def connect(user: str | None = None, **options) -> psycopg.Connection:
    return psycopg.connect(**address(user), **options)


def url(user: str | None = None) -> str:
    """DATABASE_URL for a process of its own."""
    db = address(user)
    return f"postgres://{db['user']}@/{db['dbname']}?host={db['host']}&port={db['port']}"
