package veerrors_test

import (
	"net/http"

	veerrors "github.com/virtengine/virtengine-errors/clients/go"
)

// check is how these tests get the typed error of a response.
func check(resp *http.Response) error { return veerrors.CheckResponse(resp) }
