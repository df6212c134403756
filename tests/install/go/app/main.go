// Command app is a user of the veerrors client: the install tests copy it into scratch
// modules outside the repository (the client fetched from a module proxy, or from a
// checkout through replace or a workspace) and run it, vet it and test it there.
//
// It talks to loopback servers through the client as a service would and exits 1 when
// the client does not behave.
package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"time"

	veerrors "github.com/virtengine/virtengine-errors/clients/go"
)

// notFoundBody is the documented error envelope, with a code of the registry.
const notFoundBody = `{"error": {"code": "artifact_store:2515", "message": "artifact 42 not found", "category": "not_found"}}`

func main() {
	if err := retryUnavailable(); err != nil {
		fmt.Fprintln(os.Stderr, "app: 503 then 200:", err)
		os.Exit(1)
	}
	if err := typedNotFound(); err != nil {
		fmt.Fprintln(os.Stderr, "app: 404 envelope:", err)
		os.Exit(1)
	}
	fmt.Println("app: a 503 was retried; a 404 envelope gave a typed error")
}

// newClient returns an http.Client whose Transport retries under the registry's policy,
// with backoff shortened so that a retry takes milliseconds.
func newClient() *http.Client {
	policy := veerrors.DefaultPolicy()
	policy.BaseDelay = time.Millisecond
	policy.MaxDelay = 10 * time.Millisecond
	return &http.Client{Transport: &veerrors.Transport{Retrier: veerrors.NewRetrier(policy)}}
}

// scripted starts a loopback server answering each request with the next handler (the
// last one repeats); the counter holds the requests it received.
func scripted(handlers ...http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	var requests atomic.Int32
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(requests.Add(1))
		handlers[min(n, len(handlers))-1](w, r)
	}))
	return server, &requests
}

func unavailable(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusServiceUnavailable)
}

func ok(w http.ResponseWriter, _ *http.Request) {
	_, _ = io.WriteString(w, "ok")
}

func notFound(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = io.WriteString(w, notFoundBody)
}

// retryUnavailable: the server answers 503 once, then 200; the GET succeeds.
func retryUnavailable() error {
	server, requests := scripted(unavailable, ok)
	defer server.Close()
	resp, err := newClient().Get(server.URL)
	if err != nil {
		return fmt.Errorf("GET failed: %w", err)
	}
	defer resp.Body.Close()
	if err := veerrors.CheckResponse(resp); err != nil {
		return fmt.Errorf("GET failed: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || string(body) != "ok" {
		return fmt.Errorf("got %d %q, want 200 \"ok\"", resp.StatusCode, body)
	}
	if got := requests.Load(); got != 2 {
		return fmt.Errorf("the server saw %d requests, want 2", got)
	}
	return nil
}

// typedNotFound: the Transport returns a 404 as http.RoundTripper must, as a response;
// CheckResponse turns its envelope into one error that errors.Is and errors.As see as
// the common sentinel, the registry's code and the category's type. It is not retried.
func typedNotFound() error {
	server, requests := scripted(notFound)
	defer server.Close()
	resp, err := newClient().Get(server.URL)
	if err != nil {
		return fmt.Errorf("GET failed: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		return fmt.Errorf("got status %d, want 404", resp.StatusCode)
	}
	err = veerrors.CheckResponse(resp)
	if err == nil {
		return errors.New("CheckResponse gave no error for a 404")
	}
	return checkNotFound(err, requests.Load())
}

func checkNotFound(err error, requests int32) error {
	if !errors.Is(err, veerrors.ErrNotFound) {
		return fmt.Errorf("errors.Is(%v, ErrNotFound) is false", err)
	}
	if !errors.Is(err, veerrors.ErrArtifactStoreNotFound) {
		return fmt.Errorf("errors.Is(%v, ErrArtifactStoreNotFound) is false", err)
	}
	if errors.Is(err, veerrors.ErrTimeout) {
		return fmt.Errorf("errors.Is(%v, ErrTimeout) is true", err)
	}
	var apiErr *veerrors.APIError
	if !errors.As(err, &apiErr) {
		return fmt.Errorf("errors.As(%v, *APIError) is false", err)
	}
	if apiErr.Code != "artifact_store:2515" || apiErr.Message != "artifact 42 not found" ||
		apiErr.Category != veerrors.CategoryNotFound || apiErr.HTTPStatus != http.StatusNotFound ||
		apiErr.Retryable || !apiErr.Envelope {
		return fmt.Errorf("decoded %+v", *apiErr)
	}
	var typed *veerrors.NotFoundError
	if !errors.As(err, &typed) {
		return fmt.Errorf("errors.As(%v, *NotFoundError) is false", err)
	}
	if requests != 1 {
		return fmt.Errorf("the server saw %d requests, want 1 (a 404 is not retried)", requests)
	}
	return nil
}
