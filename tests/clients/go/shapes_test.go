package veerrors_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	veerrors "github.com/virtengine/virtengine-errors/clients/go"
)

// The platform's servers answer errors in several shapes; these tests send each one
// from a loopback server through the real Transport.

// reply answers with status, a Content-Type and a body, plus header name/value pairs.
func reply(code int, contentType, body string, headers ...string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", contentType)
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

// plainText answers the way net/http's http.Error does.
func plainText(code int, message string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		http.Error(w, message, code)
	}
}

func apiError(t *testing.T, err error) *veerrors.APIError {
	t.Helper()
	var e *veerrors.APIError
	if !errors.As(err, &e) {
		t.Fatalf("want an API error, got %T %v", err, err)
	}
	return e
}

func TestAGatewayStatusWithARegisteredCodeIsTheRegistrysError(t *testing.T) {
	gateway := `{"code":2,"message":"codespace veid code 1036: ML inference failed","details":[]}`
	answer := reply(500, "application/json", gateway)
	s, url := serve(t, answer, answer, answer)
	err := get(fastClient(false), url)
	// The registry files veid:1036 under external (it wraps the ML scorer sidecar call); the
	// gateway's code 2 (Unknown) says nothing, so category, severity and retryable are the
	// catalog's, and HTTPStatus stays the response's 500.
	var external *veerrors.ExternalError
	if !errors.As(err, &external) || !errors.Is(err, veerrors.ErrVeidMLInferenceFailed) ||
		!errors.Is(err, veerrors.ErrExternalService) || !errors.Is(err, veerrors.ErrInferenceFailed) {
		t.Fatalf("want an ExternalError matching ErrVeidMLInferenceFailed, got %T %v", err, err)
	}
	e := apiError(t, err)
	if e.Code != "veid:1036" || e.Message != "ML inference failed" || !e.Retryable ||
		e.Category != veerrors.CategoryExternal || e.Severity != veerrors.SeverityError ||
		e.Shape != veerrors.ShapeGRPCGateway || e.Envelope || e.HTTPStatus != 500 {
		t.Fatalf("fields: %+v", e)
	}
	// veid:1036 is retryable in the registry, so a GET is sent three times.
	if len(s.requests) != 3 || e.Attempts != 3 {
		t.Fatalf("want 3 attempts, got %d requests, Attempts %d", len(s.requests), e.Attempts)
	}
}

func TestAGatewayNotFoundTakesItsCategoryFromTheGRPCCode(t *testing.T) {
	gateway := `{"code":5,"message":"rpc error: code = NotFound desc = codespace deployment code 99: deployment 7 not found","details":[]}`
	s, url := serve(t, reply(404, "application/json", gateway), status(200))
	err := get(fastClient(false), url)
	var notFound *veerrors.NotFoundError
	if !errors.As(err, &notFound) || !errors.Is(err, veerrors.ErrNotFound) {
		t.Fatalf("want a NotFoundError, got %T %v", err, err)
	}
	e := apiError(t, err)
	if e.Code != "deployment:99" || e.Message != "deployment 7 not found" || e.Retryable ||
		e.Shape != veerrors.ShapeGRPCGateway || len(s.requests) != 1 {
		t.Fatalf("fields: %+v after %d requests", e, len(s.requests))
	}
	if got := e.Error(); got != "deployment:99: deployment 7 not found" {
		t.Fatalf("Error() = %q", got)
	}
}

func TestAGatewayFailedPreconditionIsAStateErrorDespiteThe400(t *testing.T) {
	gateway := `{"code":9,"message":"order 12 is closed","details":[]}`
	_, url := serve(t, reply(400, "application/json", gateway))
	err := get(fastClient(false), url)
	var state *veerrors.StateError
	if !errors.As(err, &state) || state.Category != veerrors.CategoryState || state.Retryable ||
		state.Code != "" || state.Message != "order 12 is closed" || state.HTTPStatus != 400 {
		t.Fatalf("want a StateError from gRPC FailedPrecondition, got %T %v", err, err)
	}
}

func TestTheRateLimitMiddlewaresBodyAndHeaders(t *testing.T) {
	body := `{"error":"rate_limit_exceeded","message":"rate limit exceeded: 100 requests per minute",` +
		`"limit":100,"remaining":0,"reset_at":"2099-01-01T00:00:00Z","retry_after":1}`
	answer := reply(429, "application/json", body,
		"X-RateLimit-Limit", "100", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "0.2")
	s, url := serve(t, answer, answer)
	client := fastClient(false)
	client.Transport.(*veerrors.Transport).Retrier.Policy.MaxAttempts = 2
	started := time.Now()
	err := get(client, url)
	elapsed := time.Since(started)
	var limited *veerrors.RateLimitError
	if !errors.As(err, &limited) || !errors.Is(err, veerrors.ErrRateLimitExceeded) {
		t.Fatalf("want a RateLimitError, got %T %v", err, err)
	}
	e := apiError(t, err)
	if e.Code != "" || e.Message != "rate limit exceeded: 100 requests per minute" || !e.Retryable ||
		e.Shape != veerrors.ShapeErrorMember || e.Attempts != 2 || len(s.requests) != 2 {
		t.Fatalf("fields: %+v after %d requests", e, len(s.requests))
	}
	if limit, _ := e.Context["limit"].(interface{ String() string }); limit == nil || limit.String() != "100" {
		t.Fatalf("context keeps the body's other members, got %v", e.Context)
	}
	// X-RateLimit-Reset (seconds from now) comes before the context's far reset_at.
	if hint, ok := e.RetryAfter(); !ok || hint != 200*time.Millisecond {
		t.Fatalf("hint = %v, %v; want 200ms from X-RateLimit-Reset", hint, ok)
	}
	if elapsed < 200*time.Millisecond {
		t.Fatalf("the retry came after %v, before the 200 ms hint", elapsed)
	}
}

func TestThePortalsErrorStringKeepsTheStatusCategory(t *testing.T) {
	s, url := serve(t, reply(404, "application/json", `{"error":"deployment not found"}`), status(200))
	err := get(fastClient(false), url)
	var notFound *veerrors.NotFoundError
	if !errors.As(err, &notFound) {
		t.Fatalf("want a NotFoundError, got %T %v", err, err)
	}
	e := apiError(t, err)
	if e.Message != "deployment not found" || e.Code != "" || e.Retryable || e.Context != nil ||
		e.Shape != veerrors.ShapeErrorMember || len(s.requests) != 1 {
		t.Fatalf("fields: %+v after %d requests", e, len(s.requests))
	}
}

func TestAPlainTextBodyFromHTTPError(t *testing.T) {
	s, url := serve(t, plainText(404, "scope not found"), status(200))
	err := get(fastClient(false), url)
	var notFound *veerrors.NotFoundError
	if !errors.As(err, &notFound) || notFound.Error() != "scope not found" {
		t.Fatalf("want a NotFoundError %q, got %T %v", "scope not found", err, err)
	}
	e := apiError(t, err)
	if e.Shape != veerrors.ShapeText || e.Retryable || string(e.RawBody) != "scope not found\n" ||
		len(s.requests) != 1 {
		t.Fatalf("fields: %+v after %d requests", e, len(s.requests))
	}
}

func TestAPlainTextBodyWithACodeIsRetriedAsTheRegistrySays(t *testing.T) {
	s, url := serve(t, plainText(500, "veid:1036: ML inference failed"), status(200))
	resp, err := fastClient(false).Get(url)
	if err != nil {
		t.Fatalf("veid:1036 is retryable: want the retry to succeed, got %v", err)
	}
	_ = resp.Body.Close()
	if len(s.requests) != 2 {
		t.Fatalf("want 2 requests, got %d", len(s.requests))
	}

	_, url = serve(t, plainText(500, "veid:1036: ML inference failed"))
	client := fastClient(false)
	client.Transport.(*veerrors.Transport).Retrier.Policy.MaxAttempts = 1
	err = get(client, url)
	var external *veerrors.ExternalError
	if !errors.As(err, &external) || !errors.Is(err, veerrors.ErrVeidMLInferenceFailed) {
		t.Fatalf("want an ExternalError matching veid:1036, got %T %v", err, err)
	}
	if e := apiError(t, err); e.Shape != veerrors.ShapeText || !e.Retryable || e.Message != "ML inference failed" ||
		e.Category != veerrors.CategoryExternal || e.Severity != veerrors.SeverityError {
		t.Fatalf("fields: %+v", e)
	}
}

func TestAFailedTransactionIsA200ThatFromTxResponseTurnsIntoTheTypedError(t *testing.T) {
	broadcast := `{"tx_response":{"height":"0","txhash":"AB12","codespace":"veid","code":1036,` +
		`"raw_log":"ML inference failed","gas_wanted":"200000","gas_used":"51234"}}`
	s, url := serve(t, reply(200, "application/json", broadcast))
	resp, err := fastClient(true).Post(url+"/cosmos/tx/v1beta1/txs", "application/json", strings.NewReader(`{"tx_bytes":"..."}`))
	if err != nil {
		t.Fatalf("the transport must return a 200 as a success, got %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || len(s.requests) != 1 {
		t.Fatalf("status %d after %d requests", resp.StatusCode, len(s.requests))
	}
	err = veerrors.FromTxResponse(body)
	var external *veerrors.ExternalError
	if !errors.As(err, &external) || !errors.Is(err, veerrors.ErrVeidMLInferenceFailed) {
		t.Fatalf("want an ExternalError matching veid:1036, got %T %v", err, err)
	}
	e := apiError(t, err)
	if !e.Retryable || e.Severity != veerrors.SeverityError || e.HTTPStatus != 0 || e.Shape != veerrors.ShapeABCI || string(e.RawBody) != broadcast ||
		err.Error() != "veid:1036: ML inference failed" {
		t.Fatalf("fields: %+v", e)
	}
}

func TestFromTxResponseAndFromABCIGiveNoErrorForCodeZero(t *testing.T) {
	if err := veerrors.FromTxResponse([]byte(`{"tx_response":{"codespace":"","code":0,"raw_log":""}}`)); err != nil {
		t.Fatalf("code 0 is success, got %v", err)
	}
	if err := veerrors.FromABCI("veid", 0, "ok"); err != nil {
		t.Fatalf("code 0 is success, got %v", err)
	}
	if err := veerrors.FromTxResponse([]byte(`{"tx_response":{"codespace":"veid","code":1036.0}}`)); !errors.Is(err, veerrors.ErrVeidMLInferenceFailed) {
		t.Fatalf("a whole 1036.0 is code 1036, got %v", err)
	}
	for _, body := range []string{``, `<html>`, `{"tx_response":{"code":"5"}}`, `{"tx_response":{"code":-1}}`,
		`{"tx_response":{"code":4294967296}}`, `{"tx_response":{"code":1.5}}`, `[{"tx_response":{"code":5}}]`} {
		if err := veerrors.FromTxResponse([]byte(body)); err != nil {
			t.Errorf("FromTxResponse(%s) = %v, want nil", body, err)
		}
	}
}

func TestFromABCIWithAnUnknownCode(t *testing.T) {
	err := veerrors.FromABCI("", 7777, "  ")
	e := apiError(t, err)
	var typed *veerrors.InternalError
	if errors.As(err, &typed) || e.Code != "undefined:7777" || e.Message != "undefined:7777" ||
		e.Retryable || e.Category != "" || e.Severity != veerrors.SeverityError {
		t.Fatalf("want a bare, non-retryable *APIError for undefined:7777, got %T %+v", err, e)
	}
}
