"""gunicorn's settings (`gunicorn -c config/gunicorn.conf.py config.wsgi`), each
from the environment with a default for one machine:

GUNICORN_BIND     where to listen (default 0.0.0.0:$PORT, or 127.0.0.1:8000 without PORT)
GUNICORN_WORKERS  processes (default 2 per core plus 1)
GUNICORN_THREADS  threads per process (default 4: a request mostly waits on
                  PostgreSQL or Redis)
GUNICORN_TIMEOUT  seconds before a silent worker is restarted (default 30)
GUNICORN_ACCESS_LOG  where the access log goes ("-": standard output, the
                  default; "" for none)
FORWARDED_ALLOW_IPS  the proxies whose X-Forwarded-Proto is believed (default
                  127.0.0.1: a proxy on the same machine)
"""

import multiprocessing
import os

_port = os.environ.get("PORT")
bind = os.environ.get("GUNICORN_BIND") or (f"0.0.0.0:{_port}" if _port else "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS") or 2 * multiprocessing.cpu_count() + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = timeout
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# The address is the client's only behind a proxy of ours (TRUSTED_PROXY_COUNT).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Each worker loads the app itself: a database connection is never shared
# across a fork.
preload_app = False
# gunicorn's control socket (gunicornc) sits in the home directory by default,
# where a second server on the machine would take it over: off, as nothing uses it.
control_socket_disable = True
