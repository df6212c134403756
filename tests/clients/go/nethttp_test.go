package veerrors_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	veerrors "github.com/virtengine/virtengine-errors/clients/go"
)

// The Transport keeps net/http's contract: an http.RoundTripper returns err == nil
// whenever it obtained a response, so that middleware and http.Client see statuses,
// headers and bodies; the typed error comes from CheckResponse.

// observed is what an outer middleware saw of one round trip.
type observed struct {
	status int
	header http.Header
	err    error
}

// recorder is an outer RoundTripper middleware that records every response (or error)
// it gets from the RoundTripper inside it.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []observed
}

func (m *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := m.next.RoundTrip(req)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		m.seen = append(m.seen, observed{err: err})
		return nil, err
	}
	m.seen = append(m.seen, observed{status: resp.StatusCode, header: resp.Header.Clone()})
	return resp, nil
}

func TestAnOuterMiddlewareSeesTheStatusHeadersAndBodyOfAnErrorResponse(t *testing.T) {
	envelope := `{"error":{"code":"artifact_store:2515","message":"artifact 42 not found"}}`
	s, url := serve(t, reply(404, "application/json", envelope, "X-Request-Id", "req-7", "X-Trace", "abc"))
	middleware := &recorder{next: fastClient(false).Transport}
	client := &http.Client{Transport: middleware}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("a RoundTripper must return a 404 as a response, got %v", err)
	}
	defer resp.Body.Close()
	if len(middleware.seen) != 1 || middleware.seen[0].err != nil || middleware.seen[0].status != 404 ||
		middleware.seen[0].header.Get("X-Trace") != "abc" || len(s.requests) != 1 {
		t.Fatalf("the middleware saw %+v after %d requests", middleware.seen, len(s.requests))
	}
	if resp.StatusCode != 404 || resp.Header.Get("X-Request-Id") != "req-7" {
		t.Fatalf("http.Client returned %d %v", resp.StatusCode, resp.Header)
	}
	if body, _ := io.ReadAll(resp.Body); string(body) != envelope {
		t.Fatalf("the body read %q, want the whole envelope", body)
	}
	err = check(resp)
	var notFound *veerrors.NotFoundError
	if !errors.As(err, &notFound) || notFound.RequestID != "req-7" || !errors.Is(err, veerrors.ErrArtifactStoreNotFound) {
		t.Fatalf("CheckResponse: want the NotFoundError of artifact_store:2515, got %T %v", err, err)
	}
}

func TestAnAuthMiddlewareAnswersA401ThroughTheTransport(t *testing.T) {
	// The first request has no token: the server challenges with a 401, the middleware
	// adds a token and sends again. The Transport must let it see the 401.
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer fresh" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(server.Close)
	client := &http.Client{Transport: &tokenRefresher{next: fastClient(false).Transport}}
	resp, err := client.Get(server.URL)
	if err != nil {
		t.Fatalf("want the middleware's retry with a token to succeed, got %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || check(resp) != nil {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

// tokenRefresher answers a Bearer challenge by sending the request again with a token.
type tokenRefresher struct{ next http.RoundTripper }

func (m *tokenRefresher) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := m.next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized ||
		!strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
		return resp, err
	}
	_ = resp.Body.Close()
	again := req.Clone(req.Context())
	again.Header.Set("Authorization", "Bearer fresh")
	return m.next.RoundTrip(again)
}

func TestRetriesStayInsideTheTransport(t *testing.T) {
	s, url := serve(t, status(503), status(502), status(200))
	middleware := &recorder{next: fastClient(false).Transport}
	resp, err := (&http.Client{Transport: middleware}).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if len(s.requests) != 3 || len(middleware.seen) != 1 || middleware.seen[0].status != 200 {
		t.Fatalf("the server saw %d requests, the middleware %+v", len(s.requests), middleware.seen)
	}
}

func TestTheLastErrorResponseKeepsItsWholeBodyAndAttempts(t *testing.T) {
	page := "<html>" + strings.Repeat("x", 2<<20) + "</html>" // more than MaxErrorBodyBytes
	answer := reply(503, "text/html", page)
	s, url := serve(t, answer, answer, answer)
	resp, err := fastClient(false).Get(url)
	if err != nil {
		t.Fatalf("want the last 503 as a response, got %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != page || resp.StatusCode != 503 || len(s.requests) != 3 {
		t.Fatalf("status %d, %d of %d body bytes (%v) after %d requests", resp.StatusCode, len(body), len(page), err, len(s.requests))
	}
	var external *veerrors.ExternalError
	if err := check(resp); !errors.As(err, &external) || external.Attempts != 3 {
		t.Fatalf("CheckResponse: want an ExternalError after 3 attempts, got %v", err)
	}
}

func TestCheckResponseGivesNoErrorBelow400(t *testing.T) {
	_, url := serve(t, status(204), status(302, "Location", "/elsewhere"))
	resp, err := fastClient(false).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if err := veerrors.CheckResponse(resp); err != nil {
		t.Fatalf("CheckResponse(204) = %v", err)
	}
}

func TestTheZeroValueTransportWorks(t *testing.T) {
	s, url := serve(t, status(503), status(200), status(503), status(200))
	client := &http.Client{Transport: &veerrors.Transport{}}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("zero-value Transport: %v", err)
	}
	_ = resp.Body.Close()
	keyed := &http.Client{Transport: &veerrors.Transport{IdempotencyKeys: true}}
	resp, err = keyed.Post(url, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatalf("&Transport{IdempotencyKeys: true}: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || len(s.requests) != 4 || s.requests[3].Header.Get("Idempotency-Key") == "" {
		t.Fatalf("want each call retried once, the POST with a key; %d requests", len(s.requests))
	}
}

func TestTheZeroValueRetrierWorks(t *testing.T) {
	calls := 0
	err := (&veerrors.Retrier{}).Do(context.Background(), veerrors.Call{Method: "GET"},
		func(context.Context, int) error {
			calls++
			if calls == 1 {
				return veerrors.DecodeError(503, http.Header{"Retry-After-Ms": {"1"}}, nil, time.Now())
			}
			return nil
		})
	if err != nil || calls != 2 {
		t.Fatalf("want a retry under the registry's policy, got %v after %d calls", err, calls)
	}
}

// closeRecorder is a base RoundTripper that records CloseIdleConnections.
type closeRecorder struct {
	http.RoundTripper
	closed int
}

func (c *closeRecorder) CloseIdleConnections() { c.closed++ }

func TestCloseIdleConnectionsReachesTheBaseTransport(t *testing.T) {
	base := &closeRecorder{RoundTripper: http.DefaultTransport}
	client := &http.Client{Transport: &veerrors.Transport{Base: base}}
	client.CloseIdleConnections()
	if base.closed != 1 {
		t.Fatalf("the base transport's CloseIdleConnections ran %d times, want 1", base.closed)
	}
}

func TestATimedOutAttemptIsATimeoutForOsIsTimeoutAndURLError(t *testing.T) {
	release := make(chan struct{})
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); server.Close() })
	policy := veerrors.DefaultPolicy()
	policy.MaxAttempts = 1
	client := &http.Client{Transport: &veerrors.Transport{
		Base:    &http.Transport{ResponseHeaderTimeout: 50 * time.Millisecond},
		Retrier: veerrors.NewRetrier(policy),
	}}
	_, err := client.Get(server.URL)
	var urlErr *url.Error
	var conn *veerrors.ConnectionError
	if !errors.As(err, &conn) || conn.Phase != veerrors.PhaseTimeout {
		t.Fatalf("want a ConnectionError of phase timeout, got %T %v", err, err)
	}
	if !os.IsTimeout(err) || !errors.As(err, &urlErr) || !urlErr.Timeout() {
		t.Fatalf("os.IsTimeout and (*url.Error).Timeout must be true for %v", err)
	}
	if os.IsTimeout(&veerrors.ConnectionError{Phase: veerrors.PhaseReset}) {
		t.Fatal("a reset is not a timeout")
	}
}

func TestAServerTimeoutErrorIsATimeout(t *testing.T) {
	err := veerrors.DecodeError(504, http.Header{}, nil, time.Now())
	var timeout *veerrors.TimeoutError
	if !errors.As(err, &timeout) || !os.IsTimeout(err) {
		t.Fatalf("want a TimeoutError that os.IsTimeout sees, got %T %v", err, err)
	}
	if os.IsTimeout(veerrors.DecodeError(404, http.Header{}, nil, time.Now())) {
		t.Fatal("a 404 is not a timeout")
	}
}

func TestAContextDeadlineShorterThanRetryAfterReturnsTheAPIErrorAtOnce(t *testing.T) {
	// veid:1036 (external) is chosen because the registry marks it retryable: without the
	// deadline the transport would wait the 30 s hint and send the request again.
	s, url := serve(t, reply(503, "application/json", `{"error":{"code":"veid:1036"}}`, "Retry-After", "30"), status(200))
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	started := time.Now()
	resp, err := fastClient(false).Do(req)
	if err == nil {
		defer resp.Body.Close()
		err = check(resp)
	}
	elapsed := time.Since(started)
	var external *veerrors.ExternalError
	if !errors.As(err, &external) || !errors.Is(err, veerrors.ErrVeidMLInferenceFailed) || !external.Retryable {
		t.Fatalf("want the retryable API error of veid:1036, got %T %v", err, err)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !os.IsTimeout(err) {
		t.Fatalf("want the error to match context.DeadlineExceeded and os.IsTimeout, got %v", err)
	}
	if hint, ok := external.RetryAfter(); !ok || hint != 30*time.Second {
		t.Fatalf("want the 30 s hint, got %v %v", hint, ok)
	}
	if elapsed > slack || len(s.requests) != 1 {
		t.Fatalf("want one attempt and no wait for the deadline; %d requests in %v", len(s.requests), elapsed)
	}
}

func TestAContextEndingDuringTheBackoffKeepsTheAPIError(t *testing.T) {
	_, url := serve(t, status(503, "Retry-After", "1"), status(200))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	go func() { time.Sleep(200 * time.Millisecond); cancel() }()
	_, err := fastClient(false).Do(req)
	var external *veerrors.ExternalError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &external) || external.HTTPStatus != 503 {
		t.Fatalf("want context.Canceled together with the 503's ExternalError, got %T %v", err, err)
	}
}

func TestRetryAfterDatesInEveryHTTPDateForm(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, date := range []string{
		"Thu, 01 Jan 2026 00:02:00 GMT",    // IMF-fixdate
		"Thursday, 01-Jan-26 00:02:00 GMT", // obsolete RFC 850
		"Thu Jan  1 00:02:00 2026",         // obsolete asctime
	} {
		err := veerrors.DecodeError(503, http.Header{"Retry-After": {date}}, nil, now)
		var apiErr *veerrors.APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("%T", err)
		}
		if hint, ok := apiErr.RetryAfter(); !ok || hint != 2*time.Minute {
			t.Errorf("Retry-After %q: hint %v, %v; want 2m0s", date, hint, ok)
		}
	}
}
