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
    from saas import create_app

    return create_app()
