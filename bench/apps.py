"""What gunicorn serves in the benchmarks: a bare Flask page, and the product."""
from __future__ import annotations


def bare():
    """The baseline: Flask rendering a small template, nothing else."""
    from flask import Flask, render_template_string

    app = Flask(__name__)

    @app.get("/")
    def index():
        return render_template_string("<!doctype html><html lang=fr><title>Base</title><h1>{{ title }}</h1></html>",
                                      title="Bonjour")

    return app


def bare_sized():
    """The baseline of the same size as a page: Flask rendering a template compiled once at start,
    whose output is BENCH_BARE_BYTES long (bench/dashboard.py sets it to the measured page's size)."""
    import os

    from flask import Flask

    app = Flask(__name__)
    size = int(os.environ.get("BENCH_BARE_BYTES", "20000"))
    row = "<li><a href=\"/c/demo/bilans/{{ loop.index }}\">{{ name }}</a> — {{ what }} · {{ loop.index }}</li>\n"
    template = app.jinja_env.from_string(
        "<!doctype html><html lang=fr><title>Base</title><h1>{{ title }}</h1><ul>"
        "{% for _ in rows %}" + row + "{% endfor %}</ul></html>")
    values = {"title": "Bonjour", "name": "Camille Roux", "what": "séance"}
    # Rows grow with their number's digits: count them on the real output, not by extrapolation.
    count = 1
    while len(template.render(rows=range(count + 1), **values).encode()) <= size:
        count += 1

    @app.get("/")
    def index():
        return template.render(rows=range(count), **values)

    return app


def product():
    """The real app, configured by the environment the benchmark sets."""
    import os

    from saas import create_app

    # The autosave benchmark's 200 simulated people share one loopback address.
    return create_app({"RATELIMIT_ENABLED": False} if os.environ.get("BENCH_NO_RATELIMIT") == "1" else None)
