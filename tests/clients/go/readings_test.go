package veerrors_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	veerrors "github.com/virtengine/virtengine-errors/clients/go"
)

// The readings of docs/client-behaviour.md section 4: code numbers up to uint32, a hint
// header sent twice, HTTP-dates and RFC 3339 reset times, methods without case, nesting.

// twice answers status with the header name sent twice, as two field lines.
func twice(code int, name, first, second string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Add(name, first)
		w.Header().Add(name, second)
		w.WriteHeader(code)
	}
}

func TestARetryAfterSentTwiceIsNoHint(t *testing.T) {
	_, url := serve(t, twice(503, "Retry-After", "2", "3"))
	policy := veerrors.DefaultPolicy()
	policy.MaxAttempts = 1
	resp, err := clientWith(policy, nil).Get(url)
	if err != nil {
		t.Fatalf("want the 503 response, got %v", err)
	}
	if got := resp.Header.Values("Retry-After"); len(got) != 2 {
		t.Fatalf("the server must send Retry-After on two field lines, the client got %q", got)
	}
	e := apiError(t, veerrors.CheckResponse(resp))
	if hint, ok := e.RetryAfter(); ok {
		t.Fatalf(`"2, 3" is no valid hint, got %v`, hint)
	}
}

func TestARetryAfterSentTwiceDoesNotStopTheRetries(t *testing.T) {
	// Read as its first value, 120 s would exceed MaxRetryAfter (60 s) and stop the call
	// with StopHintTooLong; joined it is no hint, and the backoff applies.
	s, url := serve(t, twice(503, "Retry-After", "120", "120"), status(200))
	started := time.Now()
	resp, err := fastClient(false).Get(url)
	if err != nil {
		t.Fatalf("want success, got %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || s.count() != 2 {
		t.Fatalf("want a retried success, got status %d after %d requests", resp.StatusCode, s.count())
	}
	if elapsed := time.Since(started); elapsed > time.Second {
		t.Fatalf("the retry waited %v: the repeated header was taken as a hint", elapsed)
	}
}

func TestAHintHeaderSentTwiceFallsThroughToTheNextSource(t *testing.T) {
	_, url := serve(t, func(w http.ResponseWriter) {
		w.Header().Add("Retry-After-Ms", "100")
		w.Header().Add("Retry-After-Ms", "200")
		w.Header().Set("Retry-After", "4")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	policy := veerrors.DefaultPolicy()
	policy.MaxAttempts = 1
	e := apiError(t, get(clientWith(policy, nil), url))
	if hint, ok := e.RetryAfter(); !ok || hint != 4*time.Second {
		t.Fatalf("want Retry-After's 4s, got %v %v", hint, ok)
	}
}

func TestCodeNumbersAreUint32(t *testing.T) {
	for _, tc := range []struct {
		code   string
		number int
		ok     bool
	}{
		{"veid:4294967295", 4294967295, true},
		{"veid:04294967295", 4294967295, true},
		{"veid:4294967296", 0, false},
		{"veid:99999999999999999999", 0, false},
		{"veid:01037", 1037, true},
		{"veid:+5", 0, false},
	} {
		body := `{"error":{"code":"` + tc.code + `","message":"m"}}`
		e := apiError(t, veerrors.DecodeError(500, http.Header{"Content-Type": {"application/json"}}, []byte(body), time.Now()))
		if e.Number != tc.number || e.HasNumber != tc.ok || e.Code != tc.code || e.Module != "veid" {
			t.Errorf("%s: number %d %v, code %q, module %q", tc.code, e.Number, e.HasNumber, e.Code, e.Module)
		}
	}
}

func TestRFC850DatesAreWithinFiftyYearsOfTheClock(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		date string
		hint time.Duration
		ok   bool
	}{
		{"Thursday, 01-Jan-26 00:00:05 GMT", 5 * time.Second, true},
		// 2075 is 49 years ahead: kept in the future (Go's time.Parse would say 1975).
		{"Tuesday, 01-Jan-75 00:00:00 GMT", time.Date(2075, 1, 1, 0, 0, 0, 0, time.UTC).Sub(now), true},
		// 2077 would be 51 years ahead: it is 1977, in the past.
		{"Saturday, 01-Jan-77 00:00:00 GMT", 0, true},
		{"Thursday, 01-Jan-26 00:00:05 PST", 0, false},
		{"Thu, 01 Jan 2026 00:00:05 UTC", 0, false},
	} {
		e := apiError(t, veerrors.DecodeError(503, http.Header{"Retry-After": {tc.date}}, nil, now))
		if hint, ok := e.RetryAfter(); hint != tc.hint || ok != tc.ok {
			t.Errorf("%q: hint %v %v, want %v %v", tc.date, hint, ok, tc.hint, tc.ok)
		}
	}
}

func TestResetAtIsAStrictRFC3339DateTime(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		resetAt string
		hint    time.Duration
		ok      bool
	}{
		{"2026-01-01T00:00:05Z", 5 * time.Second, true},
		{"2026-01-01t00:00:05z", 5 * time.Second, true},
		{"2026-01-01T01:00:05+01:00", 5 * time.Second, true},
		{"2026-01-01T00:00:05.250Z", 5250 * time.Millisecond, true},
		{"2026-01-01T00:00:05", 0, false},
		{"2026-01-02", 0, false},
		{"2026-01-01 00:00:05Z", 0, false},
		{"2026-01-01T00:00:05.123456789123Z", 5123456789 * time.Nanosecond, true},
		{"2026-01-01T00:00:05-00:00", 5 * time.Second, true},
		{"2026-01-01T00:00:60Z", 59 * time.Second, true}, // a leap second: the second before it
		{"2026-01-01T00:00:05,250Z", 0, false},
		{"2026-01-01T00:00:05.Z", 0, false},
		{"2026-01-01T0:00:05Z", 0, false},
		{"2026-02-29T00:00:00Z", 0, false},
		{"2026-01-01T24:00:00Z", 0, false},
		{"2026-01-01T00:00:05+24:00", 0, false},
		{"2026-01-01T00:00:05+0100", 0, false},
		{" 2026-01-01T00:00:05Z", 0, false},
	} {
		body := `{"error":{"code":"veid:1036","message":"m","context":{"reset_at":"` + tc.resetAt + `"}}}`
		e := apiError(t, veerrors.DecodeError(429, nil, []byte(body), now))
		if hint, ok := e.RetryAfter(); hint != tc.hint || ok != tc.ok {
			t.Errorf("reset_at %q: hint %v %v, want %v %v", tc.resetAt, hint, ok, tc.hint, tc.ok)
		}
	}
}

func TestALowerCaseMethodIsIdempotent(t *testing.T) {
	s, url := serve(t, status(503), status(200))
	req, err := http.NewRequest("get", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := do(fastClient(false), req); err != nil {
		t.Fatalf("want a retried success, got %v", err)
	}
	if s.count() != 2 || s.requests[0].Method != "get" {
		t.Fatalf("want 2 requests sent as %q, got %d", "get", s.count())
	}
}

func TestAnEmptyMethodIsAGet(t *testing.T) {
	s, raw := serve(t, status(503), status(200))
	target, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := do(fastClient(false), &http.Request{URL: target, Header: http.Header{}}); err != nil {
		t.Fatalf("want a retried success, got %v", err)
	}
	if s.count() != 2 || s.requests[1].Method != http.MethodGet {
		t.Fatalf("want 2 GET requests, got %d", s.count())
	}
}

func TestNestingBeyond512LevelsIsNotJSON(t *testing.T) {
	// The envelope and its context are 3 levels; the arrays inside make up the rest.
	deep := func(levels int) []byte {
		arrays := levels - 3
		return []byte(`{"error":{"code":"veid:1036","message":"deep","context":{"a":` +
			strings.Repeat("[", arrays) + strings.Repeat("]", arrays) + `,"s":"[[[{{{"}}}`)
	}
	header := http.Header{"Content-Type": {"application/json"}}
	if e := apiError(t, veerrors.DecodeError(500, header, deep(512), time.Now())); e.Shape != veerrors.ShapeEnvelope || e.Message != "deep" {
		t.Errorf("512 levels: shape %s, message %q; want the envelope", e.Shape, e.Message)
	}
	for _, levels := range []int{513, 100_000} {
		e := apiError(t, veerrors.DecodeError(500, header, deep(levels), time.Now()))
		if e.Shape != veerrors.ShapeNone || e.Message != "HTTP 500 Internal Server Error" {
			t.Errorf("%d levels: shape %s, message %q; want nothing recognised", levels, e.Shape, e.Message)
		}
	}
}

func TestLoneSurrogatesAndNaN(t *testing.T) {
	header := http.Header{"Content-Type": {"application/json"}}
	e := apiError(t, veerrors.DecodeError(500, header, []byte(`{"error":{"code":"veid:1036","message":"a\ud800b"}}`), time.Now()))
	if e.Message != "a\uFFFDb" {
		t.Errorf("a lone surrogate: message %q", e.Message)
	}
	e = apiError(t, veerrors.DecodeError(500, header, []byte(`{"error":{"code":"veid:1036","message":"m","retryable":NaN}}`), time.Now()))
	if e.Shape != veerrors.ShapeNone || errors.Is(e, veerrors.ErrVeidMLInferenceFailed) {
		t.Errorf("NaN is not JSON: shape %s, code %q", e.Shape, e.Code)
	}
}
