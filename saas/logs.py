"""Logs never hold a working link: every URL of a token route is masked, driven by the URL map.

A link token in a URL (`/signup/verify/<token>`, `/password/reset/<token>`,
`/invitations/<token>`, `/c/<slug>/r/<token>`, `/c/<slug>/convention/<token>`,
`/c/<slug>/avis/<token>`...) opens an account, a beneficiary's portal or an
employer's agreement. Request logs print URLs: werkzeug's request log
(`flask run`), gunicorn's access log (its atoms dict: request line, path, raw
URI, referer, environ) and error log, Flask's "Exception on <path>" report.

`mask(text)` replaces the token of every rule of the URL map that has a
variable named `token` (or `…_token`) with `***`; a new token route is masked
as soon as it is registered, with no list to keep. `MaskTokens` is the logging
filter applying it to a record's message, its arguments (tuple or dict, as
werkzeug and gunicorn give them), its exception text and stack.
`init_app` installs it for `flask run` and any handler already configured;
`GunicornLogger` (gunicorn.conf.py: `logger_class`) installs it on gunicorn's
own handlers, including those a `logconfig_dict` makes.
"""
from __future__ import annotations

import logging
import re
import threading

from gunicorn import glogging

# A variable in a rule: `<token>`, `<string(length=43):token>`, `<int:id>`.
_VARIABLE = re.compile(r"<(?:[^<>:]+:)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)>")
# One path segment as it appears in a log line (stops at quotes and spaces too).
_SEGMENT = r"[^/\s?#\"'<>]+"
MASK = "***"

_lock = threading.Lock()
_patterns: dict[str, str] = {}  # rule pattern source -> itself; every app of the process adds its own
_compiled: re.Pattern | None = None


def is_secret_variable(name: str) -> bool:
    """The URL variables that carry a bearer token."""
    return name == "token" or name.endswith("_token")


def rule_pattern(rule: str) -> str | None:
    """A regex matching the rule in text, its secret variables captured; None when it has none.

    What follows the last secret variable is left out, so `/c/x/r/<token>/renew`
    and a mistyped `/c/x/r/<token>/nope` are both masked by `/c/<slug>/r/<token>`.
    """
    parts, position, secrets_seen = [], 0, 0
    last_secret_end = None
    for match in _VARIABLE.finditer(rule):
        parts.append(re.escape(rule[position:match.start()]))
        if is_secret_variable(match.group("name")):
            parts.append(f"(?P<secret_RULE_{secrets_seen}>{_SEGMENT})")
            secrets_seen += 1
            last_secret_end = len(parts)
        else:
            parts.append(_SEGMENT)
        position = match.end()
    if last_secret_end is None:
        return None
    return "".join(parts[:last_secret_end])


def register_url_map(url_map) -> None:
    """Add the token rules of an app's URL map to the process-wide mask."""
    global _compiled
    found = {pattern for rule in url_map.iter_rules() if (pattern := rule_pattern(rule.rule))}
    with _lock:
        if found <= set(_patterns):
            return
        _patterns.update({p: p for p in found})
        # Longest first: a more specific rule wins over a prefix of it. Group names are made unique.
        ordered = sorted(_patterns, key=len, reverse=True)
        _compiled = re.compile("|".join(f"(?:{p.replace('(?P<secret_RULE_', f'(?P<secret_{i}_')})"
                                        for i, p in enumerate(ordered)))


def _replace(match: re.Match) -> str:
    text, start = match.group(0), match.start()
    spans = sorted(match.span(name) for name, value in match.groupdict().items() if value is not None)
    out, cursor = [], 0
    for begin, end in spans:
        out.append(text[cursor:begin - start])
        out.append(MASK)
        cursor = end - start
    out.append(text[cursor:])
    return "".join(out)


def mask(text: str) -> str:
    """`text` with the token of every token-route URL in it replaced by `***`."""
    compiled = _compiled
    # Every rule starts with "/", so every match holds one: most of an access line's atoms (status,
    # sizes, times, agents) have none and skip the regex (docs/BENCHMARKS.md, "Sixth round (issue #17):
    # autosave, third pass").
    if compiled is None or not isinstance(text, str) or "/" not in text:
        return text
    return compiled.sub(_replace, text)


def _mask_value(value):
    return mask(value) if isinstance(value, str) else value


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask token URLs in a record: message, tuple or dict arguments, exception text, stack (once)."""
    if getattr(record, "_tokens_masked", False):
        return record
    record.msg = _mask_value(record.msg)
    if isinstance(record.args, dict):
        # gunicorn's access log: the atoms mapping (a dict subclass); masked in place.
        for key, value in list(record.args.items()):
            if isinstance(value, str):
                record.args[key] = mask(value)
    elif isinstance(record.args, tuple):
        record.args = tuple(_mask_value(a) for a in record.args)
    # A token inside a non-string argument (an exception, a URL object): format, then mask.
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: the handler reports it as usual
        message = None
    masked = mask(message) if message is not None else None
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        # The traceback's last line is the exception's message, which may quote a URL.
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    record.exc_text = _mask_value(record.exc_text)
    record.stack_info = _mask_value(record.stack_info)
    record._tokens_masked = True
    return record


class MaskTokens(logging.Filter):
    """`mask_record` as a logging filter, for handlers a `logconfig_dict` or a library makes:
    `"filters": {"tokens": {"()": "saas.logs.MaskTokens"}}`."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


def _masking_factory(previous):
    def factory(*args, **kwargs):
        return mask_record(previous(*args, **kwargs))

    factory.masks_tokens = True
    return factory


def _install(target) -> None:
    if not any(isinstance(f, MaskTokens) for f in target.filters):
        target.addFilter(MaskTokens())


LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def install(extra_loggers=()) -> None:
    """Mask every record at creation (any logger, any handler, even one added later), and
    put the filter on the request loggers and on every handler configured so far."""
    if not getattr(logging.getLogRecordFactory(), "masks_tokens", False):
        logging.setLogRecordFactory(_masking_factory(logging.getLogRecordFactory()))
    for name in (*LOGGERS, *extra_loggers):
        logger = logging.getLogger(name)
        _install(logger)
        for handler in logger.handlers:
            _install(handler)
    for handler in logging.getLogger().handlers:
        _install(handler)


def init_app(app) -> None:
    """Call after every blueprint is registered: the URL map decides what is masked."""
    register_url_map(app.url_map)
    install(extra_loggers=(app.logger.name,))
    for handler in app.logger.handlers:
        _install(handler)


class GunicornLogger(glogging.Logger):
    """gunicorn's logger with the token mask on its access and error handlers (both set up by `setup`)."""

    def setup(self, cfg):
        super().setup(cfg)
        install()
