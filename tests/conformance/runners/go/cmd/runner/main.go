// Command runner runs conformance vector files (tests/conformance/FORMAT.md) through the Go client's
// public API and prints one JSON line per case, then "N passed, N failed".
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"reflect"
	"slices"
	"time"

	veerrors "github.com/virtengine/virtengine-errors/clients/go"
	"github.com/virtengine/virtengine-errors/tests/conformance/runners/go/vectors"
)

type response struct {
	Status     int               `json:"status"`
	Headers    map[string]string `json:"headers"`
	Body       *string           `json:"body"`
	BodyBase64 *string           `json:"body_base64"`
}

type attempt struct {
	Response        *response `json:"response"`
	ConnectionError string    `json:"connection_error"`
	RequestError    bool      `json:"request_error"`
	TakesMs         float64   `json:"takes_ms"`
}

type testCase struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Now  string `json:"now"`
	// Code is the code string of a lookup case, the integer code of an abci case.
	Code      json.RawMessage `json:"code"`
	Codespace string          `json:"codespace"`
	Log       string          `json:"log"`
	Body      string          `json:"body"`
	Response  *response       `json:"response"`
	Request   struct {
		Method         string
		IdempotencyKey bool              `json:"idempotency_key"`
		URL            *string           `json:"url"`
		Headers        map[string]string `json:"headers"`
		BodyReplayable *bool             `json:"body_replayable"`
	} `json:"request"`
	ShouldRetry   []string       `json:"should_retry"`
	OnRetryRaises bool           `json:"on_retry_raises"`
	Policy        map[string]any `json:"policy"`
	BudgetTokens  *int           `json:"budget_tokens"`
	Random        []float64      `json:"random"`
	Attempts      []attempt      `json:"attempts"`
	CancelAfter   *float64       `json:"cancel_after_ms"`
	Expect        map[string]any `json:"expect"`
}

func main() {
	passed, failed := 0, 0
	readFailed := false
	for _, path := range os.Args[1:] {
		cases, err := readFile(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
			readFailed = true
			continue
		}
		for _, c := range cases {
			got, why := run(c)
			if why == "" {
				why = compare(c.Expect, got)
			}
			line, _ := json.Marshal(map[string]any{"id": c.ID, "pass": why == "", "got": got, "why": why})
			fmt.Println(string(line))
			if why == "" {
				passed++
			} else {
				failed++
			}
		}
	}
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 || readFailed {
		os.Exit(1)
	}
}

func readFile(path string) ([]testCase, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var file struct {
		Format int        `json:"format"`
		Cases  []testCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, err
	}
	if file.Format != 1 {
		return nil, fmt.Errorf("unsupported format %d", file.Format)
	}
	return file.Cases, nil
}

func run(c testCase) (map[string]any, string) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if c.Now != "" {
		parsed, err := time.Parse(time.RFC3339Nano, c.Now)
		if err != nil {
			return nil, "bad now: " + err.Error()
		}
		now = parsed
	}
	switch c.Kind {
	case "lookup":
		var key string
		if err := json.Unmarshal(c.Code, &key); err != nil {
			return nil, "lookup: code is not a string"
		}
		return lookup(key), ""
	case "decode":
		if c.Response == nil {
			return nil, "decode: no response"
		}
		err := decode(c.Response, now)
		got := describe(err)
		got["sentinels"] = sentinels(err)
		return got, ""
	case "abci":
		var code uint32
		if err := json.Unmarshal(c.Code, &code); err != nil {
			return nil, "abci: code is not an unsigned 32-bit integer"
		}
		return outcome(veerrors.FromABCI(c.Codespace, code, c.Log)), ""
	case "tx_response":
		return outcome(veerrors.FromTxResponse([]byte(c.Body))), ""
	case "retry":
		return retry(c, now)
	}
	return nil, "unknown kind " + c.Kind
}

func lookup(key string) map[string]any {
	code, ok := veerrors.Lookup(key)
	if !ok {
		return map[string]any{"known": false}
	}
	return map[string]any{"known": true, "module": code.Module(), "number": code.Number(), "name": code.Name(),
		"category": string(code.Category()), "severity": string(code.Severity()), "retryable": code.Retryable(),
		"http_status": code.HTTPStatus(), "message": code.Message(), "deprecated": code.Deprecated()}
}

// outcome reports a transaction helper's result: no error, or the error's members.
func outcome(err error) map[string]any {
	if err == nil {
		return map[string]any{"outcome": "none", "error": nil}
	}
	return map[string]any{"outcome": "error", "error": describe(err)}
}

func decode(r *response, now time.Time) error {
	header := http.Header{}
	for name, value := range r.Headers {
		header.Add(name, value)
	}
	var body []byte
	switch {
	case r.BodyBase64 != nil:
		body, _ = base64.StdEncoding.DecodeString(*r.BodyBase64)
	case r.Body != nil:
		body = []byte(*r.Body)
	}
	return veerrors.DecodeError(r.Status, header, body, now)
}

func describe(err error) map[string]any {
	var conn *veerrors.ConnectionError
	if errors.As(err, &conn) {
		return map[string]any{"type": "connection", "retryable": true, "text": conn.Phase,
			"attempts": conn.Attempts, "stop_reason": nullString(string(conn.StopReason)),
			"method": nullString(conn.Method), "url": nullString(conn.URL),
			"last_api_error": lastAPIError(conn.LastAPIError), "sentinels": sentinels(err)}
	}
	var e *veerrors.APIError
	if !errors.As(err, &e) {
		return map[string]any{"type": fmt.Sprintf("unexpected %T", err)}
	}
	got := map[string]any{"type": typeName(err), "code": nullString(e.Code), "module": nullString(e.Module),
		"number": nil, "message": e.Message, "category": nullString(string(e.Category)),
		"severity": string(e.Severity), "retryable": e.Retryable, "http_status": e.HTTPStatus,
		"request_id": nullString(e.RequestID), "retry_after_ms": nil, "envelope": e.Envelope,
		"shape": string(e.Shape), "text": e.Error(), "context": nil, "raw_body_prefix": prefix(string(e.RawBody), 64)}
	if e.Code == "" {
		got["module"] = nil
	}
	if e.HasNumber {
		got["number"] = e.Number
	}
	if e.HTTPStatus == 0 {
		got["http_status"] = nil // a transaction result has no HTTP status
	}
	if ms, ok := e.RetryAfterMillis(); ok {
		got["retry_after_ms"] = ms
	}
	if e.Context != nil {
		got["context"] = e.Context
	}
	got["stop_reason"] = nullString(string(e.StopReason))
	got["method"] = nullString(e.Method)
	got["url"] = nullString(e.URL)
	got["last_api_error"] = nil
	got["sentinels"] = sentinels(err)
	return got
}

// lastAPIError reports the API error an earlier attempt got: its type, status and code.
func lastAPIError(e *veerrors.APIError) any {
	if e == nil {
		return nil
	}
	// A category the client knows has its own type (the one the decoder returned).
	kind := "api_error"
	switch e.Category {
	case veerrors.CategoryValidation, veerrors.CategoryNotFound, veerrors.CategoryConflict,
		veerrors.CategoryUnauthorized, veerrors.CategoryState, veerrors.CategoryTimeout,
		veerrors.CategoryExternal, veerrors.CategoryInternal, veerrors.CategoryRateLimit:
		kind = string(e.Category)
	}
	return map[string]any{"type": kind, "http_status": e.HTTPStatus, "code": nullString(e.Code)}
}

// sentinels lists the names of the registry's sentinels err matches (errors.Is), sorted.
func sentinels(err error) []string {
	names := []string{}
	for _, s := range veerrors.AllSentinels() {
		if errors.Is(err, s) {
			names = append(names, s.Name())
		}
	}
	slices.Sort(names)
	return names
}

// history reports a call's attempts as the vectors spell them.
func history(entries []veerrors.Attempt) []any {
	out := []any{}
	for _, entry := range entries {
		item := map[string]any{"delay_ms": float64(entry.Delay) / float64(time.Millisecond)}
		if entry.Phase != "" {
			item["phase"] = string(entry.Phase)
		} else {
			item["status"] = entry.HTTPStatus
		}
		out = append(out, item)
	}
	return out
}

func typeName(err error) string {
	names := map[reflect.Type]string{
		reflect.TypeOf(&veerrors.ValidationError{}):   "validation",
		reflect.TypeOf(&veerrors.NotFoundError{}):     "not_found",
		reflect.TypeOf(&veerrors.ConflictError{}):     "conflict",
		reflect.TypeOf(&veerrors.UnauthorizedError{}): "unauthorized",
		reflect.TypeOf(&veerrors.StateError{}):        "state",
		reflect.TypeOf(&veerrors.TimeoutError{}):      "timeout",
		reflect.TypeOf(&veerrors.ExternalError{}):     "external",
		reflect.TypeOf(&veerrors.InternalError{}):     "internal",
		reflect.TypeOf(&veerrors.RateLimitError{}):    "rate_limit",
		reflect.TypeOf(&veerrors.APIError{}):          "api_error",
	}
	if name, ok := names[reflect.TypeOf(err)]; ok {
		return name
	}
	return fmt.Sprintf("%T", err)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func prefix(s string, n int) string {
	runes := []rune(s)
	if len(runes) > n {
		runes = runes[:n]
	}
	return string(runes)
}

type simulatedClock struct {
	now      time.Time
	start    time.Time
	cancelAt *time.Time
	sleeps   []any
	cancel   context.CancelFunc
}

func (c *simulatedClock) sleep(ctx context.Context, d time.Duration) error {
	c.sleeps = append(c.sleeps, float64(d)/float64(time.Millisecond))
	end := c.now.Add(d)
	if c.cancelAt != nil && end.After(*c.cancelAt) {
		c.now = *c.cancelAt
		c.cancel()
		return ctx.Err()
	}
	c.now = end
	return nil
}

func retry(c testCase, now time.Time) (map[string]any, string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := &simulatedClock{now: now, start: now, cancel: cancel, sleeps: []any{}}
	if c.CancelAfter != nil {
		at := now.Add(time.Duration(*c.CancelAfter * float64(time.Millisecond)))
		clock.cancelAt = &at
	}
	budget := veerrors.NewBudget()
	if c.BudgetTokens != nil {
		budget = veerrors.NewBudgetWithTokens(*c.BudgetTokens)
	}
	draws, answers, onRetryCalls := 0, 0, 0
	retrier := &veerrors.Retrier{Policy: vectors.Policy(c.Policy), Budget: budget, Now: func() time.Time { return clock.now },
		Sleep: clock.sleep, Rand: func() float64 {
			draw := 0.0
			if draws < len(c.Random) {
				draw = c.Random[draws]
			}
			draws++
			return draw
		}}
	if c.ShouldRetry != nil {
		retrier.ShouldRetry = func(error, int, veerrors.Call) veerrors.Decision {
			answer := "default"
			if answers < len(c.ShouldRetry) {
				answer = c.ShouldRetry[answers]
			}
			answers++
			return map[string]veerrors.Decision{"retry": veerrors.DecideRetry, "stop": veerrors.DecideStop}[answer]
		}
	}
	errHook := errors.New("on_retry raised")
	if c.OnRetryRaises {
		retrier.OnRetry = func(int, error, time.Duration, veerrors.Call) error {
			onRetryCalls++
			if onRetryCalls == 1 {
				return errHook
			}
			return nil
		}
	}
	call := veerrors.Call{Method: c.Request.Method, IdempotencyKey: c.Request.IdempotencyKey,
		URL: "https://api.virtengine.test/v1/resource", Header: http.Header{},
		BodyNotReplayable: c.Request.BodyReplayable != nil && !*c.Request.BodyReplayable}
	if c.Request.URL != nil {
		call.URL = *c.Request.URL
	}
	for name, value := range c.Request.Headers {
		call.Header.Add(name, value)
	}
	sent := 0
	budgets := []any{}
	var why string
	err := retrier.Do(ctx, call, func(ctx context.Context, attempt int) error {
		sent++
		if budget, ok := veerrors.AttemptBudget(ctx); ok {
			budgets = append(budgets, float64(budget)/float64(time.Millisecond))
		} else {
			budgets = append(budgets, nil)
		}
		if sent > len(c.Attempts) {
			why = "the helper sent more attempts than listed"
			return &veerrors.ConnectionError{Phase: veerrors.PhaseConnect}
		}
		a := c.Attempts[sent-1]
		if a.TakesMs > 0 {
			takes := time.Duration(a.TakesMs * float64(time.Millisecond))
			if budget, ok := veerrors.AttemptBudget(ctx); ok && takes > budget {
				// The attempt outlives its budget: the transport's timeout at the deadline.
				clock.now = clock.now.Add(budget)
				return &veerrors.ConnectionError{Phase: veerrors.PhaseTimeout, Err: context.DeadlineExceeded}
			}
			clock.now = clock.now.Add(takes)
		}
		switch {
		case a.RequestError:
			return &veerrors.RequestError{Method: call.Method, URL: "ftp://api.virtengine.test/",
				Err: errors.New(`unsupported protocol scheme "ftp"`)}
		case a.Response == nil:
			return &veerrors.ConnectionError{Phase: veerrors.Phase(a.ConnectionError)}
		case a.Response.Status < 400:
			return nil
		}
		return decode(a.Response, clock.now)
	})
	got := map[string]any{"attempts": sent, "sleeps_ms": clock.sleeps, "budget_tokens_after": budget.Tokens(),
		"error": nil, "stop_reason": nil, "history": nil, "attempt_budgets_ms": budgets, "sentinels": nil}
	var apiErr *veerrors.APIError
	var connErr *veerrors.ConnectionError
	switch {
	case err == nil:
		got["outcome"] = "success"
	case errors.Is(err, context.Canceled):
		// Like the other runners, a cancelled call reports no stop reason or history: the
		// language's cancellation is what the caller gets (Go's also carries them).
		got["outcome"] = "cancelled"
		// The cancellation is the context's error; which sentinels match it. (The error
		// returned is the last API error when there is one, which also matches its own.)
		names := []string{}
		for _, s := range veerrors.AllSentinels() {
			if s.Matches(context.Canceled) {
				names = append(names, s.Name())
				if !errors.Is(err, s) {
					why = "the cancelled call's error does not match the sentinel " + s.Name()
				}
			}
		}
		got["sentinels"] = names
	case errors.As(err, &connErr) || errors.As(err, &apiErr):
		got["outcome"] = "error"
		described := describe(err)
		if connErr != nil {
			got["stop_reason"], got["history"] = string(connErr.StopReason), history(connErr.History)
		} else {
			described["attempts"] = apiErr.Attempts
			got["stop_reason"], got["history"] = string(apiErr.StopReason), history(apiErr.History)
		}
		got["error"] = described
	default:
		// A mistake in the request or a hook's error: raised as it is.
		got["outcome"] = "raised"
		var requestErr *veerrors.RequestError
		if !errors.Is(err, errHook) && !(errors.As(err, &requestErr) && requestErr.NotSent()) {
			why = fmt.Sprintf("unexpected error %T: %v", err, err)
		}
	}
	return got, why
}

// compare checks every member of expect against got (a "context" object: only the keys
// given; a null "context": no context).
func compare(expect, got map[string]any) string {
	for name, want := range expect {
		if wantCtx, ok := want.(map[string]any); ok && name == "context" {
			ctx, _ := got["context"].(map[string]any)
			if ctx == nil {
				return fmt.Sprintf("context: expected %v, got null", want)
			}
			for key, value := range wantCtx {
				if !same(value, ctx[key]) {
					return fmt.Sprintf("context.%s: expected %v, got %v", key, value, ctx[key])
				}
			}
			continue
		}
		if name == "error" {
			if wantErr, ok := want.(map[string]any); ok {
				gotErr, _ := got["error"].(map[string]any)
				if gotErr == nil {
					return "error: expected an error, got none"
				}
				if why := compare(wantErr, gotErr); why != "" {
					return "error." + why
				}
				continue
			}
		}
		if name == "raw_body_prefix" {
			raw, _ := got[name].(string)
			if len(raw) < len(want.(string)) || raw[:len(want.(string))] != want.(string) {
				return fmt.Sprintf("raw_body_prefix: expected %q, got %q", want, raw)
			}
			continue
		}
		if !same(want, got[name]) {
			return fmt.Sprintf("%s: expected %v, got %v", name, want, got[name])
		}
	}
	return ""
}

// same compares JSON values, numbers within 0.001.
func same(want, got any) bool {
	normalized, _ := json.Marshal(got)
	var g any
	_ = json.Unmarshal(normalized, &g)
	return sameJSON(want, g)
}

func sameJSON(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && math.Abs(x-y) <= 0.001
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k := range x {
			if !sameJSON(x[k], y[k]) {
				return false
			}
		}
		return true
	}
	return a == b
}
