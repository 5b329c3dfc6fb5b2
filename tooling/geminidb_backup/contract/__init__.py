"""The contract suite: schemathesis with the packaged spec and this API's domain checks.

:mod:`.checks` registers the domain checks with schemathesis when imported; :mod:`.runner` runs
the suite against a URL or the embedded reference server.
"""

from geminidb_backup import _extras

# One line that says what to install, instead of a ModuleNotFoundError from deep inside.
_extras.require("contract", "geminidb_backup.contract")
