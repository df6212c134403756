// Command scenarios runs the live scenarios through the Go client's real Transport
// against the shared scripted server: scenarios --base-url URL --prefix NAME FILE.
//
// Each scenario prints one JSON line: id, outcome, status, error, stop_reason and
// elapsed_ms. The request's deadline_ms is the call's Call.Deadline; with abort_after_ms
// the request's context is cancelled after that long, and the outcome is "cancelled" when
// the error matches context.Canceled.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	veerrors "github.com/virtengine/virtengine-errors/clients/go"
	"github.com/virtengine/virtengine-errors/tests/conformance/runners/go/vectors"
)

type scenario struct {
	ID      string `json:"id"`
	Request struct {
		Method         string   `json:"method"`
		IdempotencyKey string   `json:"idempotency_key"`
		Body           *string  `json:"body"`
		DeadlineMs     *float64 `json:"deadline_ms"`
		AbortAfterMs   *float64 `json:"abort_after_ms"`
	} `json:"request"`
	Policy map[string]any `json:"policy"`
}

func main() {
	baseURL := flag.String("base-url", "", "the scripted server")
	prefix := flag.String("prefix", "go", "path prefix of this language")
	flag.Parse()
	data, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var file struct {
		Scenarios []scenario `json:"scenarios"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, s := range file.Scenarios {
		line, _ := json.Marshal(run(s, *baseURL+"/"+*prefix+"/"+s.ID))
		fmt.Println(string(line))
	}
	fmt.Printf("%d passed, 0 failed\n", len(file.Scenarios))
}

func milliseconds(ms float64) time.Duration {
	return time.Duration(ms * float64(time.Millisecond))
}

func run(s scenario, url string) map[string]any {
	retrier := veerrors.NewRetrier(vectors.Policy(s.Policy))
	client := &http.Client{Transport: &veerrors.Transport{
		Retrier: retrier, IdempotencyKeys: s.Request.IdempotencyKey == "auto"}}
	var body io.Reader
	if s.Request.Body != nil {
		body = strings.NewReader(*s.Request.Body)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if s.Request.DeadlineMs != nil {
		ctx = veerrors.WithCall(ctx, veerrors.Call{Deadline: milliseconds(*s.Request.DeadlineMs)})
	}
	if s.Request.AbortAfterMs != nil {
		timer := time.AfterFunc(milliseconds(*s.Request.AbortAfterMs), cancel)
		defer timer.Stop()
	}
	req, err := http.NewRequestWithContext(ctx, s.Request.Method, url, body)
	if err != nil {
		return map[string]any{"id": s.ID, "outcome": "error", "status": nil, "error": nil}
	}
	started := time.Now()
	resp, err := client.Do(req)
	if err == nil {
		// The Transport returns every response; CheckResponse gives an error response's
		// typed error.
		if err = veerrors.CheckResponse(resp); err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
	}
	got := map[string]any{"id": s.ID, "outcome": "error", "status": nil, "error": nil,
		"stop_reason": nil, "elapsed_ms": time.Since(started).Milliseconds()}
	var apiErr *veerrors.APIError
	var connErr *veerrors.ConnectionError
	switch {
	case err == nil:
		got["outcome"], got["status"] = "success", resp.StatusCode
	case errors.Is(err, context.Canceled):
		got["outcome"] = "cancelled"
	case errors.As(err, &apiErr):
		got["status"] = apiErr.HTTPStatus
		var code any
		if apiErr.Code != "" {
			code = apiErr.Code
		}
		got["error"] = map[string]any{"type": typeName(err), "code": code, "phase": nil,
			"retryable": apiErr.Retryable, "attempts": apiErr.Attempts}
		got["stop_reason"] = stopReason(apiErr.StopReason)
	case errors.As(err, &connErr):
		got["error"] = map[string]any{"type": "connection", "code": nil, "phase": connErr.Phase,
			"retryable": true, "attempts": connErr.Attempts}
		got["stop_reason"] = stopReason(connErr.StopReason)
	default:
		got["error"] = map[string]any{"type": err.Error(), "code": nil, "attempts": 0}
	}
	return got
}

// stopReason is null when the transport did not set one.
func stopReason(reason veerrors.StopReason) any {
	if reason == "" {
		return nil
	}
	return reason
}

func typeName(err error) string {
	for name, target := range map[string]any{
		"validation": new(*veerrors.ValidationError), "not_found": new(*veerrors.NotFoundError),
		"conflict": new(*veerrors.ConflictError), "unauthorized": new(*veerrors.UnauthorizedError),
		"state": new(*veerrors.StateError), "timeout": new(*veerrors.TimeoutError),
		"external": new(*veerrors.ExternalError), "internal": new(*veerrors.InternalError),
		"rate_limit": new(*veerrors.RateLimitError),
	} {
		if errors.As(err, target) {
			return name
		}
	}
	return "api_error"
}
