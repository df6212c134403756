package veerrors_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	veerrors "github.com/virtengine/virtengine-errors/clients/go"
)

func TestSentinelsAndCodesMatchWithErrorsIs(t *testing.T) {
	err := veerrors.DecodeError(404, http.Header{}, []byte(`{"error":{"code":"resources:2"}}`), time.Now())
	if !errors.Is(err, veerrors.ErrNotFound) {
		t.Error("a not_found error should match ErrNotFound")
	}
	if errors.Is(err, veerrors.ErrVeidMLInferenceFailed) {
		t.Error("resources:2 must not match veid:1036")
	}
	var notFound *veerrors.NotFoundError
	var base *veerrors.APIError
	if !errors.As(err, &notFound) || !errors.As(err, &base) || base.Message != "inventory not found" {
		t.Errorf("errors.As should reach both the category type and *APIError: %v", err)
	}
}

func TestLookup(t *testing.T) {
	code, ok := veerrors.Lookup("veid:1036")
	if !ok || code != veerrors.ErrVeidMLInferenceFailed || !code.Retryable() || code.Key() != "veid:1036" {
		t.Fatalf("Lookup(veid:1036) = %v, %v", code, ok)
	}
	if _, ok := veerrors.Lookup("veid:1999"); ok {
		t.Fatal("an unregistered code must not be found")
	}
	if n := len(veerrors.AllCodes()); n < 900 {
		t.Fatalf("AllCodes has %d codes", n)
	}
}

// FuzzDecodeError: any status, headers and bytes decode to one of the SDK's errors,
// whose text and fields are usable, without panicking.
func FuzzDecodeError(f *testing.F) {
	for _, response := range seedResponses(f) {
		f.Add(response.status, response.contentType, response.retryAfter, response.rateLimitReset, response.body)
	}
	shapes := map[veerrors.Shape]bool{veerrors.ShapeEnvelope: true, veerrors.ShapeProblem: true,
		veerrors.ShapeGRPCGateway: true, veerrors.ShapeErrorMember: true, veerrors.ShapeText: true,
		veerrors.ShapeNone: true}
	f.Fuzz(func(t *testing.T, status int, contentType, retryAfter, rateLimitReset string, body []byte) {
		header := http.Header{}
		header.Set("Content-Type", contentType)
		header.Set("Retry-After", retryAfter)
		header.Set("X-RateLimit-Reset", rateLimitReset)
		err := veerrors.DecodeError(status, header, body, time.Unix(1767225600, 0))
		var apiErr *veerrors.APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("not an *APIError: %T", err)
		}
		if len(apiErr.RawBody) > veerrors.MaxErrorBodyBytes || apiErr.HTTPStatus != status {
			t.Fatalf("raw body %d bytes, status %d", len(apiErr.RawBody), apiErr.HTTPStatus)
		}
		if hint, ok := apiErr.RetryAfter(); hint < 0 || (!ok && hint != 0) {
			t.Fatalf("invalid hint %v, %v", hint, ok)
		}
		if !shapes[apiErr.Shape] || apiErr.Envelope != (apiErr.Shape == veerrors.ShapeEnvelope || apiErr.Shape == veerrors.ShapeProblem) {
			t.Fatalf("shape %q with envelope %v", apiErr.Shape, apiErr.Envelope)
		}
		_ = err.Error()
		_ = veerrors.FromTxResponse(body) // never panics either
	})
}

type seed struct {
	status                                  int
	contentType, retryAfter, rateLimitReset string
	body                                    []byte
}

// seedResponses are the responses of the conformance vectors.
func seedResponses(f *testing.F) []seed {
	files, _ := filepath.Glob("../../conformance/vectors/*.json")
	if len(files) == 0 {
		f.Fatal("no conformance vectors in ../../conformance/vectors")
	}
	var seeds []seed
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		var file struct {
			Cases []struct {
				Response *struct {
					Status     int               `json:"status"`
					Headers    map[string]string `json:"headers"`
					Body       string            `json:"body"`
					BodyBase64 string            `json:"body_base64"`
				} `json:"response"`
			} `json:"cases"`
		}
		if err := json.Unmarshal(data, &file); err != nil {
			f.Fatal(err)
		}
		for _, c := range file.Cases {
			if r := c.Response; r != nil {
				body := []byte(r.Body)
				if r.BodyBase64 != "" {
					body, _ = base64.StdEncoding.DecodeString(r.BodyBase64)
				}
				header := http.Header{}
				for name, value := range r.Headers {
					header.Set(name, value)
				}
				seeds = append(seeds, seed{r.Status, header.Get("Content-Type"), header.Get("Retry-After"),
					header.Get("X-RateLimit-Reset"), body})
			}
		}
	}
	return seeds
}
