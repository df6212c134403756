package veerrors_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	veerrors "github.com/virtengine/virtengine-errors/clients/go"
)

// Issue 16: deadlines that bound every attempt, stop reasons, the retry hooks, one-shot
// bodies, request mistakes, sentinels that match, read-only catalogs, validated policies.

// slack is the time a busy machine may add to a bounded call before the test sees it end.
// Every failure these tests look for (a deadline or a cancellation not honoured) costs
// seconds.
const slack = time.Second

func (s *scripted) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func clientWith(policy veerrors.Policy, configure func(*veerrors.Retrier)) *http.Client {
	retrier := veerrors.NewRetrier(policy)
	if configure != nil {
		configure(retrier)
	}
	return &http.Client{Transport: &veerrors.Transport{Retrier: retrier}}
}

func hang(d time.Duration) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		time.Sleep(d)
		w.WriteHeader(http.StatusOK)
	}
}

func TestADeadlineCutsAnAttemptThatHangs(t *testing.T) {
	server, url := serve(t, hang(2*time.Second))
	policy := veerrors.DefaultPolicy()
	policy.Deadline = 500 * time.Millisecond
	start := time.Now()
	err := get(clientWith(policy, nil), url)
	elapsed := time.Since(start)
	if elapsed < 450*time.Millisecond || elapsed > 500*time.Millisecond+slack {
		t.Fatalf("the call took %v with a 500ms deadline against a 2s hang", elapsed)
	}
	var connErr *veerrors.ConnectionError
	if !errors.As(err, &connErr) || connErr.Phase != veerrors.PhaseTimeout ||
		connErr.StopReason != veerrors.StopDeadline || connErr.Attempts != 1 {
		t.Fatalf("want a timeout ConnectionError stopped by the deadline after 1 attempt, got %T %v", err, err)
	}
	if !errors.Is(err, veerrors.ErrDeadlineExceeded) || !errors.Is(err, veerrors.ErrTimeout) ||
		!errors.Is(err, veerrors.ErrNetworkError) || errors.Is(err, veerrors.ErrMaxRetriesExceeded) {
		t.Fatal("the deadline's error matches deadline_exceeded, timeout and network_error, not max_retries_exceeded")
	}
	if got := server.count(); got != 1 {
		t.Fatalf("the server saw %d requests, want 1", got)
	}
}

func TestTheRetrierGivesEachAttemptTheTimeLeftAsItsContextDeadline(t *testing.T) {
	policy := veerrors.DefaultPolicy()
	policy.Deadline, policy.BaseDelay = 300*time.Millisecond, time.Millisecond
	retrier := veerrors.NewRetrier(policy)
	var budgets []time.Duration
	start := time.Now()
	err := retrier.Do(context.Background(), veerrors.Call{Method: http.MethodGet}, func(ctx context.Context, attempt int) error {
		budget, ok := veerrors.AttemptBudget(ctx)
		deadline, hasDeadline := ctx.Deadline()
		if !ok || !hasDeadline || time.Until(deadline) > budget {
			t.Errorf("attempt %d: budget %v (%v), context deadline in %v", attempt, budget, ok, time.Until(deadline))
		}
		budgets = append(budgets, budget)
		<-ctx.Done() // a call that honours its context, but would hang forever
		return ctx.Err()
	})
	if elapsed := time.Since(start); elapsed > 300*time.Millisecond+slack {
		t.Fatalf("the call took %v with a 300ms deadline", elapsed)
	}
	var connErr *veerrors.ConnectionError
	if !errors.As(err, &connErr) || connErr.Phase != veerrors.PhaseTimeout || connErr.StopReason != veerrors.StopDeadline {
		t.Fatalf("want a timeout stopped by the deadline, got %T %v", err, err)
	}
	if len(budgets) != 1 || budgets[0] <= 0 || budgets[0] > 300*time.Millisecond {
		t.Fatalf("budgets %v, want one, of at most 300ms", budgets)
	}
	err = veerrors.NewRetrier(veerrors.DefaultPolicy()).Do(context.Background(), veerrors.Call{Method: http.MethodGet},
		func(ctx context.Context, _ int) error {
			if _, ok := veerrors.AttemptBudget(ctx); ok {
				t.Error("without a deadline an attempt has no budget")
			}
			if _, ok := ctx.Deadline(); ok {
				t.Error("without a deadline an attempt's context has none")
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
}

// trickle answers a 503 whose body arrives one byte every 100ms for 5s.
func trickle(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusServiceUnavailable)
	flusher := w.(http.Flusher)
	for range 50 {
		if _, err := w.Write([]byte(" ")); err != nil {
			return
		}
		flusher.Flush()
		time.Sleep(100 * time.Millisecond)
	}
}

func TestADeadlineBoundsReadingATrickledErrorBody(t *testing.T) {
	_, url := serve(t, trickle, trickle, trickle)
	policy := veerrors.DefaultPolicy()
	policy.Deadline = 800 * time.Millisecond
	start := time.Now()
	err := get(clientWith(policy, nil), url)
	if elapsed := time.Since(start); elapsed > 800*time.Millisecond+slack {
		t.Fatalf("the call took %v with an 800ms deadline", elapsed)
	}
	var connErr *veerrors.ConnectionError
	if !errors.As(err, &connErr) || connErr.StopReason != veerrors.StopDeadline || connErr.Phase != veerrors.PhaseTimeout {
		t.Fatalf("want the cut read as a timeout stopped by the deadline, got %T %v", err, err)
	}
}

func TestCancellationDuringATrickledBodyEndsPromptly(t *testing.T) {
	_, url := serve(t, trickle)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	start := time.Now()
	err := do(fastClient(false), req)
	if elapsed := time.Since(start); elapsed > 300*time.Millisecond+slack {
		t.Fatalf("the cancelled call took %v", elapsed)
	}
	var canceled *veerrors.CanceledError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &canceled) || !errors.Is(err, veerrors.ErrCanceled) {
		t.Fatalf("want a CanceledError matching context.Canceled and ErrCanceled, got %T %v", err, err)
	}
	var apiErr *veerrors.APIError
	if errors.As(err, &apiErr) {
		t.Fatalf("a truncated body must not become an API error: %v", apiErr)
	}
}

func TestAContextDeadlineCutsAnAttemptInFlight(t *testing.T) {
	_, url := serve(t, hang(2*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	start := time.Now()
	err := do(fastClient(false), req)
	if elapsed := time.Since(start); elapsed > 300*time.Millisecond+slack {
		t.Fatalf("the call took %v with a 300ms context deadline", elapsed)
	}
	var connErr *veerrors.ConnectionError
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &connErr) ||
		connErr.StopReason != veerrors.StopDeadline || !errors.Is(err, veerrors.ErrDeadlineExceeded) {
		t.Fatalf("want a ConnectionError stopped by the deadline matching context.DeadlineExceeded, got %T %v", err, err)
	}
}

func TestTheFinalErrorSaysWhyAndWhatHappened(t *testing.T) {
	_, url := serve(t, status(503), status(503), status(503))
	client := fastClient(false)
	resp, err := client.Get(url + "/v1/scopes/abc")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	err = veerrors.CheckResponse(resp)
	var external *veerrors.ExternalError
	if !errors.As(err, &external) {
		t.Fatalf("want the 503's ExternalError, got %T %v", err, err)
	}
	if external.StopReason != veerrors.StopMaxAttempts || external.Attempts != 3 || len(external.History) != 3 {
		t.Fatalf("stop %q, attempts %d, history %+v", external.StopReason, external.Attempts, external.History)
	}
	for i, entry := range external.History {
		if entry.HTTPStatus != 503 || entry.Phase != "" || (i == 0) != (entry.Delay == 0) {
			t.Errorf("history[%d] = %+v", i, entry)
		}
	}
	if external.Method != http.MethodGet || external.URL != url+"/v1/scopes/abc" {
		t.Fatalf("method %q url %q", external.Method, external.URL)
	}
	if external.Header.Get("Content-Length") != "0" || resp.Header.Get("Content-Length") != "0" {
		t.Fatalf("the error carries the response's headers: %v", external.Header)
	}
	if !errors.Is(err, veerrors.ErrMaxRetriesExceeded) || !errors.Is(err, veerrors.ErrUnavailable) {
		t.Fatal("three 503s match max_retries_exceeded and unavailable")
	}
}

func TestAnEarlierAPIErrorStaysReachableAfterANetworkFailure(t *testing.T) {
	var server *scripted
	resetting := func(w http.ResponseWriter) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.(*net.TCPConn).SetLinger(0)
			_ = conn.Close()
		}
	}
	server, url := serve(t, status(503), resetting, resetting)
	policy := veerrors.DefaultPolicy()
	policy.BaseDelay = time.Millisecond
	// Without keep-alive, so that net/http does not resend the GET itself on a reused
	// connection.
	client := &http.Client{Transport: &veerrors.Transport{Retrier: veerrors.NewRetrier(policy),
		Base: &http.Transport{DisableKeepAlives: true}}}
	err := get(client, url)
	var connErr *veerrors.ConnectionError
	if !errors.As(err, &connErr) || connErr.Phase != veerrors.PhaseReset || connErr.StopReason != veerrors.StopMaxAttempts {
		t.Fatalf("want a reset stopped at max_attempts, got %T %v", err, err)
	}
	if connErr.LastAPIError == nil || connErr.LastAPIError.HTTPStatus != 503 {
		t.Fatalf("the 503 must stay reachable, got %+v", connErr.LastAPIError)
	}
	if server.count() != 3 || connErr.History[0].HTTPStatus != 503 || connErr.History[2].Phase != veerrors.PhaseReset {
		t.Fatalf("requests %d, history %+v", server.count(), connErr.History)
	}
	if errors.Is(err, veerrors.ErrUnavailable) {
		t.Fatal("a connection error is not itself the 503")
	}
}

func TestShouldRetryCanAllowRefuseButNotPassTheGate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		method   string
		decision veerrors.Decision
		first    int
		requests int
		stop     veerrors.StopReason
	}{
		{"retry a 404", http.MethodGet, veerrors.DecideRetry, 404, 2, ""},
		{"stop a 503", http.MethodGet, veerrors.DecideStop, 503, 1, veerrors.StopNotRetryable},
		{"default on a 503", http.MethodGet, veerrors.DecideDefault, 503, 2, ""},
		{"retry cannot pass the gate", http.MethodPost, veerrors.DecideRetry, 404, 1, veerrors.StopNotIdempotent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			server, url := serve(t, status(tc.first), status(200))
			var asked []int
			var seen *http.Request
			policy := veerrors.DefaultPolicy()
			policy.BaseDelay = time.Millisecond
			client := clientWith(policy, func(r *veerrors.Retrier) {
				r.ShouldRetry = func(err error, attempt int, call veerrors.Call) veerrors.Decision {
					asked = append(asked, attempt)
					seen = call.Request
					return tc.decision
				}
			})
			req, _ := http.NewRequest(tc.method, url, nil)
			err := do(client, req)
			if server.count() != tc.requests || len(asked) != 1 || asked[0] != 1 || seen != req {
				t.Fatalf("requests %d, hook asked %v with request %p (want %p)", server.count(), asked, seen, req)
			}
			if tc.stop == "" {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				return
			}
			var apiErr *veerrors.APIError
			if !errors.As(err, &apiErr) || apiErr.StopReason != tc.stop {
				t.Fatalf("want stop reason %q, got %v", tc.stop, err)
			}
		})
	}
}

func TestOnRetryGetsTheRequestAndAnErrorGivesTheTokensBack(t *testing.T) {
	_, url := serve(t, status(503), status(200))
	budget := veerrors.NewBudget()
	hookErr := errors.New("no more")
	var seen *http.Request
	retrier := &veerrors.Retrier{Budget: budget, OnRetry: func(attempt int, err error, delay time.Duration, call veerrors.Call) error {
		seen = call.Request
		if attempt != 2 || call.Method != http.MethodGet || call.URL != url {
			t.Errorf("OnRetry(%d, %v, %v, %s %s)", attempt, err, delay, call.Method, call.URL)
		}
		return hookErr
	}}
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	_, err := (&http.Client{Transport: &veerrors.Transport{Retrier: retrier}}).Do(req)
	if !errors.Is(err, hookErr) {
		t.Fatalf("want the hook's error, got %v", err)
	}
	if seen != req || budget.Tokens() != veerrors.BudgetCapacity {
		t.Fatalf("hook saw %p (want %p); tokens %d, want them all back", seen, req, budget.Tokens())
	}
}

func TestTheRetryLogLineNamesMethodAndURL(t *testing.T) {
	_, url := serve(t, status(503), status(200))
	var logged bytes.Buffer
	policy := veerrors.DefaultPolicy()
	policy.BaseDelay = time.Millisecond
	client := clientWith(policy, func(r *veerrors.Retrier) {
		r.Logger = slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	if err := get(client, url+"/v1/x"); err != nil {
		t.Fatal(err)
	}
	line := logged.String()
	if !strings.Contains(line, "method=GET") || !strings.Contains(line, "url="+url+"/v1/x") {
		t.Fatalf("log line %q", line)
	}
}

func TestABodyThatCannotBeReplayedIsNeverSentTwice(t *testing.T) {
	server, url := serve(t, status(503), status(200))
	req, _ := http.NewRequest(http.MethodPut, url, io.MultiReader(strings.NewReader("one-shot")))
	err := do(fastClient(false), req)
	var apiErr *veerrors.APIError
	if !errors.As(err, &apiErr) || apiErr.StopReason != veerrors.StopBodyNotReplayable || server.count() != 1 {
		t.Fatalf("want one request stopped as body_not_replayable, got %d requests, %v", server.count(), err)
	}
	if server.bodies[0] != "one-shot" {
		t.Fatalf("the body sent was %q", server.bodies[0])
	}
}

func TestRequestMistakesAreRaisedAtOnceAndNotSent(t *testing.T) {
	_, url := serve(t)
	for name, build := range map[string]func() *http.Request{
		"unsupported scheme": func() *http.Request {
			req, _ := http.NewRequest(http.MethodGet, "ftp://example.test/file", nil)
			return req
		},
		"no host": func() *http.Request {
			req, _ := http.NewRequest(http.MethodGet, "http:///path", nil)
			return req
		},
		"invalid header": func() *http.Request {
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			req.Header["Bad Name"] = []string{"x"}
			return req
		},
		"header value with a line break": func() *http.Request {
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			req.Header.Set("X-Injected", "a\r\nX-Other: b")
			return req
		},
	} {
		t.Run(name, func(t *testing.T) {
			var sleeps int
			retrier := &veerrors.Retrier{Sleep: func(context.Context, time.Duration) error { sleeps++; return nil }}
			_, err := (&http.Client{Transport: &veerrors.Transport{Retrier: retrier}}).Do(build())
			var requestErr *veerrors.RequestError
			if !errors.As(err, &requestErr) || !requestErr.NotSent() || sleeps != 0 {
				t.Fatalf("want a RequestError without retry, got %T %v after %d sleeps", err, err, sleeps)
			}
			var connErr *veerrors.ConnectionError
			if errors.As(err, &connErr) || errors.Is(err, veerrors.ErrNetworkError) {
				t.Fatal("a request mistake is not a connection error")
			}
		})
	}
}

func TestAHandSetIdempotencyKeyHeaderCountsAsAKey(t *testing.T) {
	for _, name := range []string{"Idempotency-Key", "idempotency-key"} {
		server, url := serve(t, status(503), status(200))
		req := post(url, "application/json", strings.NewReader("{}"))
		req.Header[name] = []string{"k-1"} // as set, without canonicalising
		if err := do(fastClient(false), req); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if server.count() != 2 {
			t.Fatalf("%s: the POST was sent %d times, want 2", name, server.count())
		}
	}
	retries := 0
	call := veerrors.Call{Method: http.MethodPost, Header: http.Header{"idempotency-key": {""}}}
	err := (&veerrors.Retrier{Sleep: func(context.Context, time.Duration) error { retries++; return nil }}).Do(
		context.Background(), call, func(context.Context, int) error {
			return veerrors.DecodeError(503, http.Header{}, nil, time.Now())
		})
	var apiErr *veerrors.APIError
	if !errors.As(err, &apiErr) || apiErr.StopReason != veerrors.StopNotIdempotent || retries != 0 {
		t.Fatalf("an empty key is no key: got %v after %d retries", err, retries)
	}
}

func TestStatusZeroIsAConnectionReset(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	go func() {
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_, _ = http.ReadRequest(bufio.NewReader(conn))
				_, _ = conn.Write([]byte("HTTP/1.1 000 Nothing\r\nContent-Length: 0\r\n\r\n"))
			}()
		}
	}()
	policy := veerrors.DefaultPolicy()
	policy.BaseDelay = time.Millisecond
	err = get(clientWith(policy, nil), "http://"+listener.Addr().String())
	var connErr *veerrors.ConnectionError
	if !errors.As(err, &connErr) || connErr.Phase != veerrors.PhaseReset || connErr.Attempts != 3 {
		t.Fatalf("want a reset ConnectionError after 3 attempts, got %T %v", err, err)
	}
}

func TestSentinelsMatchStatusesWithoutACodeAndTheContextsErrors(t *testing.T) {
	html := veerrors.DecodeError(503, http.Header{"Content-Type": {"text/html"}}, []byte("<html>down</html>"), time.Now())
	if !errors.Is(html, veerrors.ErrUnavailable) || !errors.Is(html, veerrors.ErrExternalService) {
		t.Fatal("an HTML 503 is unavailable")
	}
	coded := veerrors.DecodeError(412, http.Header{"Content-Type": {"application/json"}},
		[]byte(`{"error": {"code": "foo:1", "message": "x"}}`), time.Now())
	if errors.Is(coded, veerrors.ErrPreconditionFailed) {
		t.Fatal("a 412 with a code does not match by status")
	}
	if !errors.Is(veerrors.DecodeError(501, nil, nil, time.Now()), veerrors.ErrNotImplemented) {
		t.Fatal("a 501 without a code is not_implemented")
	}
	if !veerrors.ErrCanceled.Matches(context.Canceled) || !veerrors.ErrDeadlineExceeded.Matches(context.DeadlineExceeded) ||
		veerrors.ErrCanceled.Matches(context.DeadlineExceeded) || veerrors.ErrNotFound.Matches(context.Canceled) {
		t.Fatal("the context's own errors match the cancelled and deadline sentinels only")
	}
	refused := &veerrors.ConnectionError{Phase: veerrors.PhaseConnect}
	if !errors.Is(refused, veerrors.ErrConnectionFailed) || !errors.Is(refused, veerrors.ErrNetworkError) ||
		!errors.Is(refused, veerrors.ErrRequestFailed) || errors.Is(refused, veerrors.ErrTimeout) {
		t.Fatal("a refused connection is connection_failed, network_error and request_failed")
	}
}

func TestCatalogDataIsReadOnly(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeOf(veerrors.Code{}), reflect.TypeOf(veerrors.Sentinel{})} {
		for i := range typ.NumField() {
			if typ.Field(i).IsExported() {
				t.Errorf("%s.%s can be changed by an application", typ.Name(), typ.Field(i).Name)
			}
		}
	}
	// mfa:1225 is internal, critical and retryable only by its registry override (internal's
	// default is not retryable), so a changed entry or category default would show in the decode.
	body := []byte(`{"error": {"code": "mfa:1225", "message": "challenge creation failed"}}`)
	header := http.Header{"Content-Type": {"application/json"}}
	before := veerrors.DecodeError(500, header, body, time.Now())

	// What an application can do: replace the variables, overwrite the lists it is given.
	saved, savedSentinel := veerrors.ErrMFAChallengeCreationFailed, veerrors.ErrNotFound
	t.Cleanup(func() { veerrors.ErrMFAChallengeCreationFailed, veerrors.ErrNotFound = saved, savedSentinel })
	veerrors.ErrMFAChallengeCreationFailed = &veerrors.Code{}
	veerrors.ErrNotFound = &veerrors.Sentinel{}
	codes := veerrors.AllCodes()
	for i := range codes {
		codes[i] = &veerrors.Code{}
	}
	sentinels := veerrors.AllSentinels()
	for i := range sentinels {
		sentinels[i] = nil
	}

	after := veerrors.DecodeError(500, header, body, time.Now())
	var e *veerrors.APIError
	if !errors.As(after, &e) || !e.Retryable || e.Category != veerrors.CategoryInternal || e.Severity != veerrors.SeverityCritical {
		t.Fatalf("decoding changed: %+v", after)
	}
	if reflect.TypeOf(after) != reflect.TypeOf(before) || !errors.Is(after, saved) {
		t.Fatal("the decoded error is no longer the registry's")
	}
	if code, ok := veerrors.Lookup("mfa:1225"); !ok || code != saved || !code.Retryable() {
		t.Fatal("Lookup changed")
	}
	if veerrors.AllCodes()[0] == codes[0] || veerrors.AllSentinels()[0] == nil {
		t.Fatal("the lists handed out are the package's own")
	}
	notFound := veerrors.DecodeError(404, nil, nil, time.Now())
	if !errors.Is(notFound, savedSentinel) {
		t.Fatal("matching changed")
	}
}

func TestPoliciesAreValidatedNamingTheOption(t *testing.T) {
	policy := func(change func(*veerrors.Policy)) veerrors.Policy {
		p := veerrors.DefaultPolicy()
		change(&p)
		return p
	}
	for option, p := range map[string]veerrors.Policy{
		"Policy.MaxAttempts":       policy(func(p *veerrors.Policy) { p.MaxAttempts = 0 }),
		"Policy.BaseDelay":         policy(func(p *veerrors.Policy) { p.BaseDelay = -time.Second }),
		"Policy.ThrottleBaseDelay": policy(func(p *veerrors.Policy) { p.ThrottleBaseDelay = -1 }),
		"Policy.MaxDelay":          policy(func(p *veerrors.Policy) { p.MaxDelay = -1 }),
		"Policy.MaxRetryAfter":     policy(func(p *veerrors.Policy) { p.MaxRetryAfter = -1 }),
		"Policy.Deadline":          policy(func(p *veerrors.Policy) { p.Deadline = -time.Millisecond }),
	} {
		var policyErr *veerrors.PolicyError
		if err := p.Validate(); !errors.As(err, &policyErr) || policyErr.Option != option || !strings.Contains(err.Error(), option) {
			t.Errorf("%s: Validate() = %v", option, err)
		}
		sent := 0
		err := veerrors.NewRetrier(p).Do(context.Background(), veerrors.Call{Method: http.MethodGet},
			func(context.Context, int) error { sent++; return nil })
		if !errors.As(err, &policyErr) || sent != 0 {
			t.Errorf("%s: Do sent %d attempts and returned %v", option, sent, err)
		}
	}
	if err := (veerrors.Policy{}).Validate(); err != nil {
		t.Errorf("the zero Policy stands for the defaults: %v", err)
	}
	for option, call := range map[string]veerrors.Call{
		"Call.MaxAttempts": {Method: http.MethodGet, MaxAttempts: -1},
		"Call.Deadline":    {Method: http.MethodGet, Deadline: -time.Second},
	} {
		var policyErr *veerrors.PolicyError
		err := (&veerrors.Retrier{}).Do(context.Background(), call, func(context.Context, int) error { return nil })
		if !errors.As(err, &policyErr) || policyErr.Option != option {
			t.Errorf("%s: Do returned %v", option, err)
		}
	}
	_, url := serve(t)
	bad := policy(func(p *veerrors.Policy) { p.MaxAttempts = -2 })
	_, err := clientWith(bad, nil).Get(url)
	var policyErr *veerrors.PolicyError
	if !errors.As(err, &policyErr) || policyErr.Option != "Policy.MaxAttempts" {
		t.Fatalf("the Transport returns the policy's error before sending: %v", err)
	}
}

func TestRetryHintsWithAFractionOnEitherSideAndRepeatedHeaders(t *testing.T) {
	for _, tc := range []struct {
		header http.Header
		ms     float64
		ok     bool
	}{
		{http.Header{"Retry-After": {".05"}}, 50, true},
		{http.Header{"Retry-After-Ms": {"20."}}, 20, true},
		{http.Header{"Retry-After": {"."}}, 0, false},
		// A header sent twice reads as "2, 3" (contract 4.5): no hint, the next source counts.
		{http.Header{"Retry-After": {"2", "3"}}, 0, false},
		{http.Header{"Retry-After-Ms": {"2", "3"}, "Retry-After": {"4"}}, 4000, true},
		{http.Header{"Retry-After-Ms": {"x", "2"}, "Retry-After": {"4"}}, 4000, true},
	} {
		err := veerrors.DecodeError(503, tc.header, nil, time.Now())
		var e *veerrors.APIError
		errors.As(err, &e)
		if ms, ok := e.RetryAfterMillis(); ms != tc.ms || ok != tc.ok {
			t.Errorf("%v: hint %v %v, want %v %v", tc.header, ms, ok, tc.ms, tc.ok)
		}
	}
}
