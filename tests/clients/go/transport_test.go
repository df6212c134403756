package veerrors_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	veerrors "github.com/virtengine/virtengine-errors/clients/go"
)

// scripted is a loopback server answering each request with the next scripted reply
// and recording what it received.
type scripted struct {
	mu       sync.Mutex
	replies  []func(http.ResponseWriter)
	requests []*http.Request
	bodies   []string
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	index := len(s.requests)
	s.requests = append(s.requests, r)
	s.bodies = append(s.bodies, string(body))
	s.mu.Unlock()
	if index >= len(s.replies) {
		w.WriteHeader(599)
		return
	}
	s.replies[index](w)
}

func status(code int, headers ...string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(code)
	}
}

func serve(t *testing.T, replies ...func(http.ResponseWriter)) (*scripted, string) {
	t.Helper()
	s := &scripted{replies: replies}
	server := httptest.NewServer(s)
	t.Cleanup(server.Close)
	return s, server.URL
}

func fastClient(keys bool) *http.Client {
	policy := veerrors.DefaultPolicy()
	policy.BaseDelay, policy.ThrottleBaseDelay = 5*time.Millisecond, 5*time.Millisecond
	return &http.Client{Transport: &veerrors.Transport{Retrier: veerrors.NewRetrier(policy), IdempotencyKeys: keys}}
}

// do sends req through client and returns the error of the call: the client's own (no
// response), or CheckResponse's for the response.
func do(client *http.Client, req *http.Request) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return veerrors.CheckResponse(resp)
}

func get(client *http.Client, url string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		panic(err)
	}
	return do(client, req)
}

func post(url, contentType string, body io.Reader) *http.Request {
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", contentType)
	return req
}

func TestRetriesA503ThenSucceeds(t *testing.T) {
	s, url := serve(t, status(503), status(200))
	resp, err := fastClient(false).Get(url)
	if err != nil {
		t.Fatalf("want success, got %v", err)
	}
	_ = resp.Body.Close()
	if len(s.requests) != 2 || s.requests[1].Header.Get("Retry-Attempt") != "1" {
		t.Fatalf("want 2 requests, the second with Retry-Attempt 1; got %d", len(s.requests))
	}
}

func TestPostWithoutKeyIsNotRetriedOn503(t *testing.T) {
	s, url := serve(t, status(503), status(200))
	err := do(fastClient(false), post(url, "application/json", strings.NewReader("{}")))
	var external *veerrors.ExternalError
	if !errors.As(err, &external) || external.Attempts != 1 || len(s.requests) != 1 {
		t.Fatalf("want one attempt and an ExternalError, got %v after %d requests", err, len(s.requests))
	}
}

func TestPostWithoutKeyIsRetriedOn429(t *testing.T) {
	s, url := serve(t, status(429), status(200))
	resp, err := fastClient(false).Post(url, "application/json", strings.NewReader(`{"a":1}`))
	if err != nil {
		t.Fatalf("want success, got %v", err)
	}
	_ = resp.Body.Close()
	if len(s.requests) != 2 || s.bodies[1] != `{"a":1}` {
		t.Fatalf("want the body replayed on a second attempt, got %q", s.bodies)
	}
}

func TestTheSameIdempotencyKeyArrivesOnEveryAttempt(t *testing.T) {
	s, url := serve(t, status(503), status(502), status(200))
	resp, err := fastClient(true).Post(url, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatalf("want success, got %v", err)
	}
	_ = resp.Body.Close()
	key := s.requests[0].Header.Get("Idempotency-Key")
	if key == "" || len(s.requests) != 3 {
		t.Fatalf("want 3 requests with a key, got %d, key %q", len(s.requests), key)
	}
	for i, r := range s.requests {
		if r.Header.Get("Idempotency-Key") != key {
			t.Errorf("attempt %d: key %q, want %q", i+1, r.Header.Get("Idempotency-Key"), key)
		}
	}
	if got := s.requests[2].Header.Get("Retry-Attempt"); got != "2" {
		t.Errorf("Retry-Attempt on the third attempt = %q, want 2", got)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	_, url := serve(t, status(503, "Retry-After", "1"), status(200))
	started := time.Now()
	resp, err := fastClient(false).Get(url)
	if err != nil {
		t.Fatalf("want success, got %v", err)
	}
	_ = resp.Body.Close()
	if elapsed := time.Since(started); elapsed < time.Second || elapsed > time.Second+slack {
		t.Fatalf("want about 1 s between attempts, took %v", elapsed)
	}
}

func TestCancellationDuringBackoffStopsAtOnce(t *testing.T) {
	_, url := serve(t, status(503, "Retry-After", "30"), status(200))
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	var cancelledAt time.Time
	go func() {
		time.Sleep(200 * time.Millisecond)
		cancelledAt = time.Now()
		cancel()
	}()
	err := do(fastClient(false), req)
	stopped := time.Since(cancelledAt)
	var external *veerrors.ExternalError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &external) || external.HTTPStatus != 503 {
		t.Fatalf("want context.Canceled and the 503's ExternalError, got %v", err)
	}
	if stopped > slack {
		t.Fatalf("stopped %v after the cancellation, want it at once", stopped)
	}
}

func TestADeadlineStopsRetries(t *testing.T) {
	s, url := serve(t, status(503, "Retry-After", "1"), status(200))
	ctx := veerrors.WithCall(context.Background(), veerrors.Call{Deadline: 300 * time.Millisecond})
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	started := time.Now()
	err := do(fastClient(false), req)
	var apiErr *veerrors.APIError
	if !errors.As(err, &apiErr) || len(s.requests) != 1 || time.Since(started) >= time.Second {
		t.Fatalf("want one attempt, stopped at once by the deadline; got %v after %d requests", err, len(s.requests))
	}
}

func TestAHugeErrorBodyIsReadOnlyUpToTheCap(t *testing.T) {
	page := "<html>" + strings.Repeat("x", 5<<20) + "</html>"
	_, url := serve(t, func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(500)
		_, _ = io.WriteString(w, page)
	})
	err := get(fastClient(false), url)
	var internal *veerrors.InternalError
	if !errors.As(err, &internal) || len(internal.RawBody) != veerrors.MaxErrorBodyBytes || internal.Envelope {
		t.Fatalf("want an InternalError keeping exactly the cap of the body, got %v", err)
	}
}

func TestAnEndlessErrorBodyDoesNotHang(t *testing.T) {
	_, url := serve(t, func(w http.ResponseWriter) {
		w.WriteHeader(502)
		chunk := []byte(strings.Repeat("y", 64<<10))
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	client := fastClient(false)
	client.Transport.(*veerrors.Transport).Retrier.Policy.MaxAttempts = 1
	done := make(chan error, 1)
	go func() { err := get(client, url); done <- err }()
	select {
	case err := <-done:
		var external *veerrors.ExternalError
		if !errors.As(err, &external) || len(external.RawBody) != veerrors.MaxErrorBodyBytes {
			t.Fatalf("want an ExternalError with the body cut at the cap, got %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("an endless body hung the client")
	}
}

func TestAHugeRetryAfterStopsAtOnceWithoutOverflow(t *testing.T) {
	s, url := serve(t, status(503, "Retry-After", "1000000000000"), status(200))
	err := get(fastClient(false), url)
	var apiErr *veerrors.APIError
	if !errors.As(err, &apiErr) || len(s.requests) != 1 {
		t.Fatalf("want one attempt, got %v", err)
	}
	if hint, ok := apiErr.RetryAfter(); !ok || hint != math.MaxInt64 {
		t.Fatalf("want the 10^12 s hint saturated as a Duration, got %v %v", hint, ok)
	}
	if ms, ok := apiErr.RetryAfterMillis(); !ok || ms != 1e15 {
		t.Fatalf("want the 10^12 s hint kept exactly in milliseconds, got %v %v", ms, ok)
	}
}

func TestAStreamingBodyIsNotRetried(t *testing.T) {
	s, url := serve(t, status(503), status(200))
	req, _ := http.NewRequest(http.MethodPut, url, io.NopCloser(strings.NewReader("once")))
	err := do(fastClient(false), req)
	if err == nil || len(s.requests) != 1 {
		t.Fatalf("want the unreplayable body sent once and the error returned, got %v after %d", err, len(s.requests))
	}
}

func TestAConnectionRefusedIsAConnectionErrorFromTheConnectPhase(t *testing.T) {
	server := httptest.NewServer(http.NotFoundHandler())
	url := server.URL
	server.Close()
	err := do(fastClient(false), post(url, "text/plain", strings.NewReader("x")))
	var conn *veerrors.ConnectionError
	if !errors.As(err, &conn) || !conn.NotSent() || conn.Attempts != 3 {
		t.Fatalf("want a connect-phase ConnectionError after 3 attempts, got %v", err)
	}
}

func TestTheBudgetIsSafeForConcurrentCalls(t *testing.T) {
	var mu sync.Mutex
	requests := 0
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		requests++
		mu.Unlock()
		w.WriteHeader(503)
	}))
	t.Cleanup(server.Close)
	client := fastClient(false)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = client.Get(server.URL)
		}()
	}
	wg.Wait()
	// 20 calls want 40 retries; the budget pays for 500/14 = 35 of them.
	affordable := veerrors.BudgetCapacity / veerrors.RetryCost
	tokens := client.Transport.(*veerrors.Transport).Retrier.Budget.Tokens()
	if tokens != veerrors.BudgetCapacity-affordable*veerrors.RetryCost || requests != 20+affordable {
		t.Fatalf("budget = %d, requests = %d after an outage of 20 concurrent calls", tokens, requests)
	}
}

func ExampleDecodeError() {
	body := []byte(`{"error":{"code":"veid:1036","message":"ML inference failed"}}`)
	err := veerrors.DecodeError(500, http.Header{}, body, time.Now())
	var external *veerrors.ExternalError // veid:1036 wraps the ML scorer sidecar call
	fmt.Println(err, errors.As(err, &external), errors.Is(err, veerrors.ErrVeidMLInferenceFailed),
		errors.Is(err, veerrors.ErrExternalService))
	// Output: veid:1036: ML inference failed true true true
}
