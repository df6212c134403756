"""The registry as written in YAML: reading, validating and locating problems."""

from errcodegen.registry.load import Registry, load_registry
from errcodegen.registry.problems import Problem, RegistryError

__all__ = ["Problem", "Registry", "RegistryError", "load_registry"]
