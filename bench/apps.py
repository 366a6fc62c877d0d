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


def product():
    """The real app, configured by the environment the benchmark sets."""
    import os

    from saas import create_app

    # The autosave benchmark's 200 simulated people share one loopback address.
    return create_app({"RATELIMIT_ENABLED": False} if os.environ.get("BENCH_NO_RATELIMIT") == "1" else None)
