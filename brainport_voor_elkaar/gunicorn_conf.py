"""gunicorn's configuration for the portal: `gunicorn -c python:brainport_voor_elkaar.gunicorn_conf
brainport_voor_elkaar.wsgi` (what `make serve` runs). Every value can be set from the environment.

Sync workers, one request each at a time, behind a reverse proxy that buffers slow clients (docs/DEPLOY.md).
The application is loaded in each worker after the fork (no preload): a worker opens its own database
connection, and wsgi.py starts the worker's own matching warm-up thread, which would not survive a fork.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two per core plus one, the usual figure for workers that wait on the database part of the time.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
worker_class = "sync"
preload_app = False
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
# A worker is replaced now and then, so no slow leak can grow for ever; the jitter keeps them from
# restarting together. Not often: a new worker loads Django and warms matching's features (several seconds of
# CPU), which at 2,000 requests took a worker down every few seconds under load (docs/PERFORMANCE.md).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 50000))
max_requests_jitter = max_requests // 10
# Which proxies may tell gunicorn the original scheme (X-Forwarded-Proto); Django's own setting is
# BEHIND_TLS_PROXY and TRUSTED_PROXY_COUNT.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Where the master writes its process id, for `kill -HUP` (reload after an upgrade) and `kill -TERM`.
pidfile = os.environ.get("GUNICORN_PID_FILE") or None

# One line per request: peer, the X-Forwarded-For a proxy sent, request line, status, bytes, duration in
# milliseconds, user agent.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%({x-forwarded-for}i)s" "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'

# gunicorn's control socket is one path per user by default: two servers on one machine (a web node and a
# benchmark) would share it. Off; stop and reload with signals (TERM, HUP) as docs/DEPLOY.md says.
control_socket_disable = True
