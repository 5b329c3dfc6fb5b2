"""A pytest plugin of the test suite: how scripts/test's parallel run (pytest-xdist's
``--dist loadgroup``) hands out the tests.

- The tests of a module that share a module- or session-scoped fixture of that module (the built
  site, the built distributions, a running server) go to one worker, which sets the fixture up
  once. Each worker has its own temporary folders (tmp_path_factory), so what such fixtures build
  (dist/, site/) is per worker; what must not happen is building it again on every worker.
- The tests marked ``starts_first`` (a few that mostly wait, for minutes: a throttling server's
  Retry-After, jobs that take time) are handed out first, so that their waits overlap the rest of
  the run instead of ending it: xdist hands out in collection order, and one of them, collected
  late, was the last to end in a run that was otherwise done.

``tests/test_xdist_groups.py`` checks that both take effect.
"""

from __future__ import annotations

import pytest

STARTS_FIRST = "starts_first"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{STARTS_FIRST}: a test that waits for minutes; handed out first in a parallel run",
    )


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
    # sorted() is stable: the collection order stays within each half.
    items[:] = sorted(items, key=lambda item: item.get_closest_marker(STARTS_FIRST) is None)
