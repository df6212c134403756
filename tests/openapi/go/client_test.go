// The client oapi-codegen generates from the merged sample API (package scopes, written
// beside this file by tests/openapi/test_oapi_codegen.py) against a loopback server that
// answers in every shape the platform's servers send.
package scopes

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

const (
	envelopeQuota      = `{"error":{"code":"veid:1019","message":"scope not found","category":"quota","severity":"notice","retryable":false,"context":{"scope":"s1"}}}`
	envelopeTyped      = `{"error":{"code":"veid:1036","message":"ML inference failed","category":"external","severity":"error","retryable":true,"context":{"service":"ml-scorer","operation":"score"}}}`
	problem            = `{"type":"https://github.com/virtengine/virtengine-errors/blob/main/docs/errors/veid.md#veid-1019","title":"scope not found","status":404,"detail":"scope s1 not found","code":"veid:1019","category":"quota"}`
	gatewayStatus      = `{"code":5,"message":"codespace veid code 1019: scope not found","details":[]}`
	gatewayUnavailable = `{"code":14,"message":"connection refused","details":[]}`
	errorMessage       = `{"error":"rate_limit_exceeded","message":"too many requests","limit":100,"remaining":0}`
	conflictQuota      = `{"error":{"code":"veid:1020","message":"scope already exists","category":"quota"}}`
	plainTextError     = "upstream connect error or disconnect/reset before headers"
)

type answer struct {
	status      int
	contentType string
	body        string
}

var answers = map[string]answer{
	"GET /scopes/envelope":    {http.StatusNotFound, "application/json; charset=utf-8", envelopeQuota},
	"GET /scopes/problem":     {http.StatusNotFound, "application/problem+json", problem},
	"GET /scopes/gateway":     {http.StatusNotFound, "application/json", gatewayStatus},
	"GET /scopes/limited":     {http.StatusTooManyRequests, "application/json", errorMessage},
	"GET /scopes/inference":   {http.StatusBadGateway, "application/json", envelopeTyped},
	"DELETE /scopes/envelope": {http.StatusNotFound, "application/json", envelopeQuota},
	"DELETE /scopes/gateway":  {http.StatusBadGateway, "application/json", gatewayUnavailable},
	"DELETE /scopes/text":     {http.StatusServiceUnavailable, "text/plain; charset=utf-8", plainTextError},
	"POST /scopes":            {http.StatusConflict, "application/json", conflictQuota},
}

func newClient(t *testing.T) (*ClientWithResponses, *atomic.Value) {
	t.Helper()
	idempotencyKey := new(atomic.Value)
	idempotencyKey.Store("")
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := answers[r.Method+" "+r.URL.Path]
		if !ok {
			http.Error(w, "no answer for "+r.Method+" "+r.URL.Path, http.StatusTeapot)
			return
		}
		idempotencyKey.Store(r.Header.Get("Idempotency-Key"))
		w.Header().Set("Content-Type", a.contentType)
		w.Header().Set("X-Request-Id", "req-"+strings.ToLower(r.Method))
		if a.status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "3")
			w.Header().Set("X-RateLimit-Remaining", "0")
		}
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
	}))
	t.Cleanup(server.Close)
	client, err := NewClientWithResponses(server.URL, WithHTTPClient(server.Client()))
	if err != nil {
		t.Fatal(err)
	}
	return client, idempotencyKey
}

// describe recognises the shapes the way docs/client-behaviour.md 1.3 does. Every member is
// open and the generated structs do not enforce required members (a missing gateway code
// reads as 0), so each shape is told by a member only it has: the envelope's error object,
// the error text, the gateway's message beside an integer code, the problem's code. A
// category newer than the document is kept as sent.
func describe(body *AnyErrorBody) string {
	if envelope, err := body.AsErrorEnvelope(); err == nil && envelope.Error.Code != "" {
		return fmt.Sprintf("envelope %s %s", envelope.Error.Code, category(envelope.Error.Category))
	}
	if message, err := body.AsErrorMessage(); err == nil && message.Error != "" {
		return fmt.Sprintf("message %s %v", message.Error, message.AdditionalProperties["limit"])
	}
	if status, err := body.AsGatewayStatus(); err == nil && status.Message != "" {
		return fmt.Sprintf("gateway %d %s", status.Code, status.Message)
	}
	if p, err := body.AsProblem(); err == nil && p.Code != nil {
		return fmt.Sprintf("problem %s %s %s", *p.Code, category(p.Category), deref(p.Detail))
	}
	return "unrecognised"
}

func category(c *Category) string {
	if c == nil {
		return "none"
	}
	name, err := c.AsCategory1()
	if err != nil {
		return "unreadable: " + err.Error()
	}
	if KnownCategory(name).Valid() {
		return name
	}
	return name + "(unknown)"
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func TestGetScopeDecodesEveryShape(t *testing.T) {
	client, _ := newClient(t)
	cases := []struct {
		id   string
		want string
	}{
		{"envelope", "envelope veid:1019 quota(unknown)"},
		{"problem", "problem veid:1019 quota(unknown) scope s1 not found"},
		{"gateway", "gateway 5 codespace veid code 1019: scope not found"},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			response, err := client.GetScopeWithResponse(context.Background(), c.id)
			if err != nil {
				t.Fatal(err)
			}
			if response.StatusCode() != http.StatusNotFound || response.JSON404 == nil {
				t.Fatalf("status %d, JSON404 %v: %s", response.StatusCode(), response.JSON404, response.Body)
			}
			if got := describe(response.JSON404); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
			if id := response.Headers404; id == nil || id.XRequestId == nil || *id.XRequestId != "req-get" {
				t.Errorf("X-Request-Id not read: %+v", id)
			}
		})
	}
}

func TestUndeclaredStatusIsTheDefaultError(t *testing.T) {
	client, _ := newClient(t)
	response, err := client.GetScopeWithResponse(context.Background(), "limited")
	if err != nil {
		t.Fatal(err)
	}
	if response.JSONDefault == nil {
		t.Fatalf("429 not decoded as the default error: %s", response.Body)
	}
	if got, want := describe(response.JSONDefault), "message rate_limit_exceeded 100"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	headers := response.HeadersDefault
	if headers == nil || headers.RetryAfter == nil || *headers.RetryAfter != "3" {
		t.Fatalf("Retry-After not read: %+v", headers)
	}
	if headers.XRateLimitRemaining == nil || *headers.XRateLimitRemaining != 0 {
		t.Errorf("X-RateLimit-Remaining not read: %+v", headers)
	}
}

func TestTypedEnvelopeByCategory(t *testing.T) {
	client, _ := newClient(t)
	response, err := client.GetScopeWithResponse(context.Background(), "inference")
	if err != nil {
		t.Fatal(err)
	}
	// veid:1036 wraps the ML scorer sidecar call: external, 502 (declared by the operation)
	if response.JSON502 == nil {
		t.Fatalf("502 not decoded: %s", response.Body)
	}
	typed, err := response.JSON502.AsTypedErrorEnvelope()
	if err != nil {
		t.Fatal(err)
	}
	value, err := typed.Error.ValueByDiscriminator()
	if err != nil {
		t.Fatal(err)
	}
	external, ok := value.(ExternalErrorBody)
	if !ok {
		t.Fatalf("got %T, want ExternalErrorBody", value)
	}
	if external.Context == nil || deref(external.Context.Service) != "ml-scorer" ||
		deref(external.Context.Operation) != "score" {
		t.Errorf("typed context not decoded: %+v", external.Context)
	}
	if external.Retryable == nil || !*external.Retryable {
		t.Errorf("retryable not decoded: %+v", external)
	}

	// A category newer than the document has no typed body: the open envelope keeps it.
	quota, err := client.GetScopeWithResponse(context.Background(), "envelope")
	if err != nil {
		t.Fatal(err)
	}
	typed, err = quota.JSON404.AsTypedErrorEnvelope()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := typed.Error.ValueByDiscriminator(); err == nil {
		t.Error("an unknown category got a typed body")
	}
}

func TestDeleteDecodesTheDefaultAndText(t *testing.T) {
	client, _ := newClient(t)
	// The API declares its own 404 without content, kept as written by the merge: the
	// client leaves the body to the caller, who decodes it with the document's types.
	response, err := client.DeleteScopeWithResponse(context.Background(), "envelope")
	if err != nil {
		t.Fatal(err)
	}
	if response.StatusCode() != http.StatusNotFound || response.JSONDefault != nil {
		t.Fatalf("status %d, JSONDefault %v", response.StatusCode(), response.JSONDefault)
	}
	var body AnyErrorBody
	if err := json.Unmarshal(response.Body, &body); err != nil {
		t.Fatal(err)
	}
	if got, want := describe(&body), "envelope veid:1019 quota(unknown)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// A status the operation does not declare is the default error.
	gateway, err := client.DeleteScopeWithResponse(context.Background(), "gateway")
	if err != nil {
		t.Fatal(err)
	}
	if gateway.JSONDefault == nil {
		t.Fatalf("502 not decoded as the default error: %s", gateway.Body)
	}
	if got, want := describe(gateway.JSONDefault), "gateway 14 connection refused"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	text, err := client.DeleteScopeWithResponse(context.Background(), "text")
	if err != nil {
		t.Fatal(err)
	}
	if text.JSONDefault != nil || text.StatusCode() != http.StatusServiceUnavailable {
		t.Fatalf("text body: status %d, JSONDefault %v", text.StatusCode(), text.JSONDefault)
	}
	if string(text.Body) != plainTextError {
		t.Errorf("text body %q", text.Body)
	}
}

func TestCreateSendsIdempotencyKeyAndDecodesConflict(t *testing.T) {
	client, sent := newClient(t)
	key := "create-s1"
	response, err := client.CreateScopeWithResponse(
		context.Background(),
		&CreateScopeParams{IdempotencyKey: &key},
		Scope{Id: "s1", Kind: "identity"},
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := sent.Load(); got != key {
		t.Errorf("Idempotency-Key %q, want %q", got, key)
	}
	if response.JSON409 == nil {
		t.Fatalf("409 not decoded: %s", response.Body)
	}
	if got, want := describe(response.JSON409), "envelope veid:1020 quota(unknown)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
