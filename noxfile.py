"""Developer tasks: ``nox`` runs tests, lint, typecheck, the layer contract and the schema drift check."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "imports", "schemas"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and format check."""
    session.install("ruff")
    session.run("ruff", "check", "qbank", "tests", "benchmarks", "noxfile.py")
    session.run("ruff", "format", "--check", "qbank", "tests", "benchmarks", "noxfile.py")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package."""
    session.install("-e", ".", "mypy", "lxml-stubs")
    session.run("mypy", "--strict", "qbank")


@nox.session
def imports(session: nox.Session) -> None:
    """The import-linter contract in pyproject.toml: each layer imports only the layers below it."""
    session.install("-e", ".", "import-linter")
    session.run("lint-imports")


@nox.session
def schemas(session: nox.Session) -> None:
    """Fail when schemas/ no longer matches the models."""
    session.install("-e", ".")
    session.run("qbank", "schemas", "--check", "schemas")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks (print tables; slow)."""
    session.install("-e", ".", "check-jsonschema")
    session.run("python", "benchmarks/startup.py")
    session.run("python", "benchmarks/validate.py", *session.posargs)
