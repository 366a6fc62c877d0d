"""gunicorn for production: `gunicorn -c deploy/gunicorn.conf.py wsgi:app` (deploy/bilan-web.service).

Workers are processes (one PostgreSQL pool each, DB_POOL_SIZE connections), threads serve
requests that wait on the database or SMTP inside one worker. The access log goes through
saas.logs.GunicornLogger, which masks the token of every link URL (docs/SECURITY.md,
"Threats and defences"); keep `logger_class` if you add a `logconfig_dict`.
"""
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")  # the reverse proxy (deploy/Caddyfile) is in front
# WEB_CONCURRENCY is gunicorn's own variable and a Bilan setting (saas/config.py): prod-check reads it too.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)
threads = 4
worker_class = "gthread"
# A request slower than this is killed and logged (PDF generation stays well under it).
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then: bounded memory growth, with jitter so they do not restart together.
max_requests = 2000
max_requests_jitter = 200
# The app is built in each worker (no preload): every worker opens its own connections.
preload_app = False
forwarded_allow_ips = "127.0.0.1"  # X-Forwarded-Proto from Caddy only
logger_class = "saas.logs.GunicornLogger"  # tokens masked in the access and error logs
accesslog = os.environ.get("ACCESS_LOG", "/var/log/bilan/access.log")
errorlog = os.environ.get("ERROR_LOG", "/var/log/bilan/error.log")
# No query string (%(q)s) beyond the request line %(r)s, which the logger masks; no cookies, no bodies.
access_log_format = '%(h)s - %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
