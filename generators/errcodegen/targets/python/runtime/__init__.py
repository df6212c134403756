"""The Python client's runtime: modules that do not depend on the registry.

``decoding.py``, ``grpc.py``, ``retry.py``, ``transactions.py`` and ``transport.py`` are
real source, linted and type-checked here, and copied as they are into the generated
package (behind the generated-code notice). They import what the registry decides from the package's
generated modules (``_registry``, ``catalog``, ``errors``); the ``.pyi`` files beside them
declare what those modules provide, so that mypy checks the runtime here against that
interface and checks the generated package as a whole where it is generated. This folder
is never imported as a package of the generator.
"""
