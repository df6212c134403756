"""errcodegen: one error-code registry in, typed clients, OpenAPI, docs and alerts out."""

__version__ = "0.1.0"
GENERATOR_NAME = "errcodegen"
