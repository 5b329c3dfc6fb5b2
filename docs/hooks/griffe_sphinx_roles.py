"""A griffe extension for the Python API reference (docs/api-python.md): the docstrings' Sphinx
roles (``:class:`Job` ``, ``:meth:`wait` ``) become code spans. mkdocstrings renders docstrings
as Markdown and knows no roles; without this they would show as ``:class: Job``."""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|meth|func|mod|attr|data|exc|obj):`~?([^`]+)`")


class SphinxRoles(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _ROLE.sub(r"`\1`", obj.docstring.value)
