package main

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	veerrors "github.com/virtengine/virtengine-errors/clients/go"
)

func TestTransportRetriesUnavailableThenSucceeds(t *testing.T) {
	if err := retryUnavailable(); err != nil {
		t.Fatal(err)
	}
}

func TestTransportTurnsTheEnvelopeIntoTypedErrors(t *testing.T) {
	if err := typedNotFound(); err != nil {
		t.Fatal(err)
	}
}

func TestReadErrorWithoutTheTransport(t *testing.T) {
	server, requests := scripted(notFound)
	defer server.Close()
	resp, err := http.Get(server.URL)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if err := checkNotFound(veerrors.ReadError(resp), requests.Load()); err != nil {
		t.Fatal(err)
	}
}

func TestPostWithoutIdempotencyKeyIsNotRetried(t *testing.T) {
	server, requests := scripted(unavailable, ok)
	defer server.Close()
	resp, err := newClient().Post(server.URL, "text/plain", strings.NewReader("body"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	err = veerrors.CheckResponse(resp)
	var apiErr *veerrors.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != http.StatusServiceUnavailable {
		t.Fatalf("got %v, want the 503 as an *APIError", err)
	}
	if got := requests.Load(); got != 1 {
		t.Fatalf("the server saw %d requests, want 1", got)
	}
}

func TestLookupFindsTheRegistryCode(t *testing.T) {
	code, ok := veerrors.Lookup("artifact_store:2515")
	if !ok || code != veerrors.ErrArtifactStoreNotFound {
		t.Fatalf("Lookup gave %v, %v", code, ok)
	}
}
