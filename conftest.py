"""Makes the conformance plugin work from a checkout, installed or not."""

pytest_plugins = ["conformance.plugin"]
