"""gunicorn settings: `gunicorn 'wsgi:app'` run from the project root reads this file (its default).

The logger class masks the token of every link URL (signup, password reset,
invitation, portal, employer, respondent links) in the access log, in both
its forms (the request line and the atoms mapping: path, raw URI, referer),
and in the error log: saas/logs.py, docs/SECURITY.md "Threats and defences".
With a `logconfig_dict`, keep `logger_class` (it filters the handlers the
dict makes) or add `"filters": {"tokens": {"()": "saas.logs.MaskTokens"}}`
to each handler.
"""
logger_class = "saas.logs.GunicornLogger"
# The access log is on by default (stdout); `--access-logfile PATH` on the command line wins.
accesslog = "-"
