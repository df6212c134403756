// The module the oapi-codegen test builds: tests/openapi/test_oapi_codegen.py writes the
// generated client (package api) and the error document's models (package errdoc) beside
// client_test.go in a scratch copy of this folder. The runtime the generated client
// imports is pinned here; oapi-codegen itself runs as `go run ...@version`.
module example.com/scopes

go 1.26.0

require github.com/oapi-codegen/runtime v1.9.0

require (
	github.com/apapsch/go-jsonmerge/v2 v2.0.0 // indirect
	github.com/google/uuid v1.6.0 // indirect
)
