"""IR -> OpenAPI 3.1 document describing VirtEngine error responses.

What the document promises matches what the clients decode (docs/client-behaviour.md,
section 1.3), and it uses only constructs mainstream generators understand:

- ``code``, ``category`` and ``severity`` are open strings: servers send codes, categories
  and severities newer than this document, and the contract keeps them. The known values
  are listed beside them (``KnownErrorCode``, ``KnownCategory``, ``KnownSeverity``).
- A typed body narrows ``category`` with a one-value ``enum`` (not ``const``) and is a
  standalone object (not an ``allOf`` over the generic body).
- Every shape the platform's servers send today has a schema: the envelope, the RFC 9457
  problem, the chain REST gateway's status body and the ``{"error": "<text>"}`` body;
  plain text is a ``text/plain`` response.
- Responses exist per category (as before), per HTTP status and as a ``default``; headers
  and the ``Idempotency-Key`` parameter are reusable components.

``render_30`` (module ``oas30``) turns this document into its OpenAPI 3.0.3 twin.
"""

from __future__ import annotations

import functools
from typing import Any

import yaml

from errcodegen.ir import IR, Category, Code
from errcodegen.lang.words import pascal, upper_snake
from errcodegen.targets.docs.view import code_anchor, module_page
from errcodegen.targets.layout import CATALOG_FOLDER

CODE_PATTERN = r"^[^:\s]+(:[^:\s]+)*:[0-9]+$"
JSON = "application/json"
TEXT = "text/plain"

Schema = dict[str, Any]

# Headers the clients read on an error response (contract 1.5 and 1.6) and send (2.11).
HEADERS: dict[str, Schema] = {
    "RetryAfter": {
        "description": "How long to wait before sending the request again: delta-seconds "
        "or an HTTP-date (RFC 9110 section 10.2.3). Clients honour it up to their "
        "maximum delay.",
        "schema": {"type": "string", "example": "30"},
    },
    "RetryAfterMs": {
        "description": "How long to wait before sending the request again, in milliseconds "
        "(a decimal number). Read before `Retry-After`.",
        "schema": {"type": "string", "example": "1500"},
    },
    "RequestId": {
        "description": "The identifier of this request in the server's logs; clients keep "
        "it on the error (`request_id`). Quote it in support requests.",
        "schema": {"type": "string", "example": "req_01HZX3J8Q4"},
    },
    "RateLimitLimit": {
        "description": "Requests allowed in the current window.",
        "schema": {"type": "integer", "minimum": 0, "example": 100},
    },
    "RateLimitRemaining": {
        "description": "Requests left in the current window.",
        "schema": {"type": "integer", "minimum": 0, "example": 0},
    },
    "RateLimitReset": {
        "description": "When the window resets: a Unix time in seconds (values of at least "
        "1000000000, as the platform's rate limiter sends) or a number of seconds from "
        "now. Read after `Retry-After`.",
        "schema": {"type": "integer", "minimum": 0, "example": 1767225630},
    },
}
HEADER_NAMES = {
    "RetryAfter": "Retry-After",
    "RetryAfterMs": "Retry-After-Ms",
    "RequestId": "X-Request-Id",
    "RateLimitLimit": "X-RateLimit-Limit",
    "RateLimitRemaining": "X-RateLimit-Remaining",
    "RateLimitReset": "X-RateLimit-Reset",
}
_RETRY_HEADERS = ("RetryAfter", "RetryAfterMs")
_RATE_LIMIT_HEADERS = ("RateLimitLimit", "RateLimitRemaining", "RateLimitReset")

IDEMPOTENCY_KEY = "IdempotencyKey"
DEFAULT_RESPONSE = "Error"
RESPONSE_SCHEMA = "AnyErrorBody"


@functools.lru_cache(maxsize=2)
def build_openapi(ir: IR) -> Schema:
    """The error document for ``ir``. Built once per run and shared by the targets that
    read it (openapi, python models, typescript wire types): treat it as read-only."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{ir.name} error envelope",
            "version": ir.version,
            "description": ir.description,
            "license": {"name": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"},
        },
        "externalDocs": {
            "description": f"{ir.name} error catalog: every code, its category and the "
            "constant naming it in each client",
            "url": catalog_url(ir, "index.md"),
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "paths": {},
        "components": {
            "schemas": _schemas(ir),
            "responses": _responses(ir),
            "headers": {name: dict(header) for name, header in HEADERS.items()},
            "parameters": {IDEMPOTENCY_KEY: _idempotency_key(ir)},
        },
    }


class _PlainDumper(yaml.SafeDumper):
    """Writes shared values out in full: anchors and aliases only confuse readers."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(document: Schema) -> str:
    return yaml.dump(document, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=1000)


# --- documentation links -----------------------------------------------------------------


def repository_url(ir: IR) -> str:
    """The repository's web address, read from the Go module path (``github.com/o/r/...``)."""
    parts = ir.packages.go_module.split("/")
    return "https://" + "/".join(parts[:3])


def catalog_url(ir: IR, page: str) -> str:
    return f"{repository_url(ir)}/blob/main/{CATALOG_FOLDER}/{page}"


def code_url(ir: IR, code: Code) -> str:
    """The code's problem type URI: its entry in the catalog's Markdown page."""
    module = next(m for m in ir.modules if m.name == code.module)
    return f"{catalog_url(ir, module_page(module))}#{code_anchor(code.key)}"


def type_uri_template(ir: IR) -> str:
    return catalog_url(ir, "{page}") + "#{anchor}"


# --- schemas -----------------------------------------------------------------------------


def _ref(name: str) -> str:
    return f"#/components/schemas/{name}"


def _type_name(category: Category) -> str:
    return pascal(category.name, "error")


def body_name(category: Category) -> str:
    return pascal(category.name, "error", "body")


def _context_name(category: Category) -> str:
    return pascal(category.name, "context")


def _schemas(ir: IR) -> Schema:
    schemas: Schema = {
        "Category": _open(
            "KnownCategory",
            "The kind of failure; decides the client's error type. Open: a category "
            "newer than this document is kept as sent (see KnownCategory).",
        ),
        "KnownCategory": _enum(
            "Every category the registry defines.",
            [c.name for c in ir.categories],
            [c.description for c in ir.categories],
        ),
        "Severity": _open(
            "KnownSeverity",
            "How serious the failure is. Open: a severity newer than this document is "
            "kept as sent (see KnownSeverity).",
        ),
        "KnownSeverity": _enum(
            "Every severity the registry defines, least to most serious.",
            list(ir.severities),
            None,
        ),
        "ErrorCode": {
            "type": "string",
            "pattern": CODE_PATTERN,
            "description": "An error code, `module:number`. Open: servers may send codes "
            "newer than this document (see KnownErrorCode).",
            "examples": [ir.codes[0].key] if ir.codes else ["module:1"],
        },
        "KnownErrorCode": {
            **_enum(
                f"Every code in the {ir.name} registry at version {ir.version}. Each "
                "code's catalog entry is its problem type URI: "
                f"`{type_uri_template(ir)}`.",
                [c.key for c in ir.codes],
                [c.message for c in ir.codes],
                varnames=[upper_snake(c.module, c.name) for c in ir.codes],
            ),
            "externalDocs": {"url": catalog_url(ir, "index.md")},
        },
        "ErrorBody": _error_body(),
        "ErrorEnvelope": _envelope("ErrorBody", f"The body of every {ir.name} error response."),
        "Problem": _problem(ir),
        "GatewayStatus": _gateway_status(),
        "GatewayStatusDetail": {
            "type": "object",
            "description": "A `google.protobuf.Any` in a gateway status: `@type` names the "
            "message, the other members are its fields.",
            "properties": {"@type": {"type": "string"}},
            "additionalProperties": True,
        },
        "ErrorMessage": _error_message(),
    }
    for category in ir.categories:
        schemas.update(_category_schemas(category))
    schemas["TypedErrorBody"] = {
        "description": "An error body of a known category, its `context` typed by the category.",
        "oneOf": [{"$ref": _ref(body_name(c))} for c in ir.categories],
        "discriminator": {
            "propertyName": "category",
            "mapping": {c.name: _ref(body_name(c)) for c in ir.categories},
        },
    }
    schemas["TypedErrorEnvelope"] = _envelope(
        "TypedErrorBody", "An envelope whose error has a known category."
    )
    schemas[RESPONSE_SCHEMA] = {
        "description": "Any error body the platform's servers send, in the order clients "
        "recognise them (docs/client-behaviour.md 1.3): the envelope (typed when its "
        'category is known), the chain REST gateway\'s status, `{"error": "<text>"}`, '
        "and the RFC 9457 problem. A problem is also sent as `application/problem+json`.",
        "anyOf": [
            {"$ref": _ref("TypedErrorEnvelope")},
            {"$ref": _ref("ErrorEnvelope")},
            {"$ref": _ref("GatewayStatus")},
            {"$ref": _ref("ErrorMessage")},
            {"$ref": _ref("Problem")},
        ],
    }
    return schemas


def _open(known: str, description: str) -> Schema:
    return {"description": description, "anyOf": [{"$ref": _ref(known)}, {"type": "string"}]}


def _enum(
    description: str,
    values: list[str],
    descriptions: list[str] | None,
    varnames: list[str] | None = None,
) -> Schema:
    schema: Schema = {"type": "string", "description": description, "enum": values}
    if varnames is not None:
        schema["x-enum-varnames"] = varnames
    if descriptions is not None:
        schema["x-enum-descriptions"] = descriptions
    return schema


def _members() -> Schema:
    return {
        "message": {"type": "string", "description": "Human-readable message."},
        "category": {"$ref": _ref("Category")},
        "severity": {"$ref": _ref("Severity")},
        "retryable": {
            "type": "boolean",
            "description": "Whether the same request may succeed if sent again.",
        },
        "context": {
            "type": "object",
            "description": "Structured details; conventional keys depend on the category.",
            "additionalProperties": True,
        },
    }


def _error_body() -> Schema:
    return {
        "type": "object",
        "description": "A coded error. Only `code` is required; clients fill the members "
        "that are missing from the registry.",
        "required": ["code"],
        "properties": {"code": {"$ref": _ref("ErrorCode")}, **_members()},
        "additionalProperties": True,
    }


def _envelope(body: str, description: str) -> Schema:
    return {
        "type": "object",
        "description": description,
        "required": ["error"],
        "properties": {"error": {"$ref": _ref(body)}},
        "additionalProperties": True,
    }


def _problem(ir: IR) -> Schema:
    members = _members()
    return {
        "type": "object",
        "description": "RFC 9457 problem details with the envelope's members as extensions. "
        "`type` is the code's catalog entry "
        f"(`{type_uri_template(ir)}`) or `about:blank`; `title` is the code's message "
        "(with `about:blank`, the status's reason phrase); `detail` is this occurrence's "
        "message, read before `title`.",
        "properties": {
            "type": {"type": "string", "format": "uri-reference", "default": "about:blank"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 100, "maximum": 599},
            "detail": {"type": "string"},
            "instance": {"type": "string", "format": "uri-reference"},
            "code": {"$ref": _ref("ErrorCode")},
            **{name: members[name] for name in ("category", "severity", "retryable", "context")},
        },
        "additionalProperties": True,
    }


def _gateway_status() -> Schema:
    return {
        "type": "object",
        "description": "The chain REST gateway's status body (`google.rpc.Status`). `code` "
        "is the gRPC status code; `message` carries the module error, "
        "`codespace <module> code <number>: <message>`.",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "integer", "description": "gRPC status code.", "minimum": 0},
            "message": {"type": "string"},
            "details": {"type": "array", "items": {"$ref": _ref("GatewayStatusDetail")}},
        },
        "additionalProperties": True,
    }


def _error_message() -> Schema:
    return {
        "type": "object",
        "description": "The body of the rate-limit middleware, the provider portal and "
        "small HTTP services: `error` is a short text (it may start with `module:number: `), "
        "`message` a longer one; other members (`limit`, `remaining`, `reset_at`, "
        "`retry_after`) are kept as the error's context.",
        "required": ["error"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
        "additionalProperties": True,
    }


def _category_schemas(category: Category) -> Schema:
    context: Schema = {
        "type": "object",
        "description": f"Conventional context of {category.name} errors.",
        "properties": {
            f.name: {
                "type": f.type,
                "description": f.description,
                **({"format": f.format} if f.format else {}),
            }
            for f in category.context_fields
        },
        "additionalProperties": True,
    }
    members = _members()
    body: Schema = {
        "type": "object",
        "description": category.description,
        "required": ["code", "category"],
        "properties": {
            "code": {
                "description": "A code of the registry, or a newer one.",
                "anyOf": [{"$ref": _ref("KnownErrorCode")}, {"$ref": _ref("ErrorCode")}],
            },
            "message": members["message"],
            "category": {"type": "string", "enum": [category.name]},
            "severity": members["severity"],
            "retryable": members["retryable"],
            "context": {"$ref": _ref(_context_name(category))},
        },
        "additionalProperties": True,
    }
    return {_context_name(category): context, body_name(category): body}


# --- examples ----------------------------------------------------------------------------


def example_code(ir: IR, category: Category) -> Code | None:
    return next((c for c in ir.codes if c.category == category.name and not c.deprecated), None)


_EXAMPLE_VALUES = {"string": "example", "integer": 100, "number": 1.5, "boolean": True}


def _example_context(category: Category) -> dict[str, Any]:
    return {
        f.name: "2026-01-01T00:01:00Z" if f.format == "date-time" else _EXAMPLE_VALUES[f.type]
        for f in category.context_fields
    }


def _envelope_example(ir: IR, code: Code) -> Schema:
    category = next(c for c in ir.categories if c.name == code.category)
    return {
        "summary": f"{code.key}: {code.message}",
        "value": {
            "error": {
                "code": code.key,
                "message": code.message,
                "category": code.category,
                "severity": code.severity,
                "retryable": code.retryable,
                "context": _example_context(category),
            }
        },
    }


def _problem_example(ir: IR, code: Code, status: int) -> Schema:
    return {
        "summary": f"{code.key} as an RFC 9457 problem",
        "value": {
            "type": code_url(ir, code),
            "title": code.message,
            "status": status,
            "detail": code.message,
            "code": code.key,
            "category": code.category,
            "retryable": code.retryable,
        },
    }


def _gateway_example(code: Code, grpc: int) -> Schema:
    return {
        "summary": f"{code.key} from the chain REST gateway",
        "value": {
            "code": grpc,
            "message": f"codespace {code.module} code {code.number}: {code.message}",
            "details": [],
        },
    }


# --- responses ---------------------------------------------------------------------------


def _phrase(ir: IR, status: int) -> str:
    return dict(ir.reason_phrases).get(status, f"HTTP {status}")


def status_response_name(ir: IR, status: int) -> str:
    """``NotFound`` for 404: the reason phrase in PascalCase."""
    return pascal(*_phrase(ir, status).replace("-", " ").split()) or f"Status{status}"


def error_statuses(ir: IR) -> list[int]:
    """Every status a code, a category or the status table gives an error."""
    found = {c.http_status for c in ir.codes}
    found |= {c.http_status for c in ir.categories}
    found |= {r.status for r in ir.status_rules}
    return sorted(s for s in found if s >= 400)


def status_response_names(ir: IR) -> dict[int, str]:
    return {s: status_response_name(ir, s) for s in error_statuses(ir)}


def _headers(status: int | None, ir: IR) -> Schema:
    retryable = {r.status for r in ir.status_rules if r.retryable}
    names = ["RequestId"]
    if status is None or status in retryable:
        names += _RETRY_HEADERS
    if status is None or status == 429:
        names += _RATE_LIMIT_HEADERS
    return {HEADER_NAMES[n]: {"$ref": f"#/components/headers/{n}"} for n in names}


def _content(examples: dict[str, Schema]) -> Schema:
    media: Schema = {"schema": {"$ref": _ref(RESPONSE_SCHEMA)}}
    if examples:
        media["examples"] = examples
    return {
        JSON: media,
        TEXT: {
            "schema": {"type": "string"},
            "example": "upstream connect error or disconnect/reset before headers",
        },
    }


def _status_examples(ir: IR, status: int) -> dict[str, Schema]:
    codes = [c for c in ir.codes if c.http_status == status and not c.deprecated]
    grpc_by_category = {g.category: g.code for g in ir.grpc_statuses if g.category}
    examples: dict[str, Schema] = {}
    for category in ir.categories:
        code = next((c for c in codes if c.category == category.name), None)
        if code is not None:
            examples[f"{category.name}_envelope"] = _envelope_example(ir, code)
    if codes:
        first = codes[0]
        examples["problem"] = _problem_example(ir, first, status)
        examples["gateway_status"] = _gateway_example(
            first, grpc_by_category.get(first.category, 2)
        )
    else:
        examples["problem"] = {
            "summary": "An RFC 9457 problem without a code",
            "value": {
                "type": "about:blank",
                "title": _phrase(ir, status),
                "status": status,
                "detail": f"The server answered {status} {_phrase(ir, status)}.",
            },
        }
    if status == 429:
        examples["rate_limiter"] = {
            "summary": "The rate-limit middleware",
            "value": {
                "error": "rate_limit_exceeded",
                "message": "rate limit exceeded: 100 requests per minute",
                "limit": 100,
                "remaining": 0,
                "reset_at": "2026-01-01T00:00:30Z",
                "retry_after": 30,
            },
        }
    return examples


def _responses(ir: IR) -> Schema:
    responses: Schema = {}
    for category in ir.categories:
        code = example_code(ir, category)
        if code is None:
            continue
        responses[_type_name(category)] = {
            "description": category.description,
            "headers": _headers(category.http_status, ir),
            "content": _content({"envelope": _envelope_example(ir, code)}),
        }
    rules = {r.status: r for r in ir.status_rules}
    for status, name in status_response_names(ir).items():
        if name in responses:
            raise ValueError(f"response name {name} of status {status} is already taken")
        categories = sorted(
            {c.category for c in ir.codes if c.http_status == status}
            | {c.name for c in ir.categories if c.http_status == status}
        )
        described = f"{status} {_phrase(ir, status)}."
        if categories:
            described += " Categories: " + ", ".join(f"`{c}`" for c in categories) + "."
        elif status in rules and rules[status].category:
            described += f" Without a code, clients decode it as `{rules[status].category}`."
        responses[name] = {
            "description": described,
            "headers": _headers(status, ir),
            "content": _content(_status_examples(ir, status)),
        }
    responses[DEFAULT_RESPONSE] = {
        "description": f"Any other {ir.name} error response.",
        "headers": _headers(None, ir),
        "content": _content({}),
    }
    return responses


def _idempotency_key(ir: IR) -> Schema:
    methods = ", ".join(ir.retry.idempotent_methods)
    return {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "A key the server uses to recognise the same request sent again. "
        f"The clients retry {methods} requests, and any other request only when it carries "
        "this header (docs/client-behaviour.md 2.3); they keep its value on every attempt.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        "example": "3f1c9d7e-2b4a-4f7e-9a51-7c2d0b8e6a10",
    }
