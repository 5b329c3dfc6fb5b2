"""A pytest plugin of the test suite: under pytest-xdist's ``--dist loadgroup`` (scripts/test),
the tests of a module that share a module- or session-scoped fixture of that module (the built
site, the built distributions, a running server) go to one worker, which sets the fixture up once.

Each worker has its own temporary folders (tmp_path_factory), so what such fixtures build (dist/,
site/) is per worker; what must not happen is building it again on every worker.
``tests/test_xdist_groups.py`` checks that the grouping really takes effect.
"""

from __future__ import annotations

import pytest


# First: xdist's own hook (registered after this plugin, so called before it unless told) reads
# the markers set here to name each test's group.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("xdist"):
        return  # `-p no:xdist`: one process, nothing to group (and no xdist_group marker)
    for item in items:
        module = getattr(item, "module", None)
        fixtures = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
        shared = module is not None and any(
            definition.scope in ("module", "package", "session")
            and getattr(definition.func, "__module__", None) == module.__name__
            for definitions in fixtures.values()
            for definition in definitions
        )
        if shared:
            item.add_marker(pytest.mark.xdist_group(module.__name__))
