package veerrors

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"
)

// Category is the kind of an error; it decides the error's type.
type Category string

// Severity tells how serious an error is.
type Severity string

// Shape names what an error was built from: the body rule that recognised an error
// response (docs/client-behaviour.md 1.3), a gRPC status (ShapeGRPC) or a transaction
// result (ShapeABCI).
type Shape string

// The shapes an error can come from.
const (
	// ShapeEnvelope is the VirtEngine envelope {"error": {"code": ..., ...}}.
	ShapeEnvelope Shape = "envelope"
	// ShapeProblem is an RFC 9457 problem carrying the envelope's members.
	ShapeProblem Shape = "problem"
	// ShapeGRPCGateway is a gRPC status from the chain's REST gateway,
	// {"code": <gRPC code>, "message": ..., "details": [...]}.
	ShapeGRPCGateway Shape = "grpc_gateway"
	// ShapeErrorMember is {"error": "<text>", ...}: the rate limiter, the provider
	// portal, small HTTP services.
	ShapeErrorMember Shape = "error_member"
	// ShapeText is a text/plain body, such as one written by http.Error.
	ShapeText Shape = "text"
	// ShapeNone means nothing in the body was recognised; the status decides.
	ShapeNone Shape = "none"
	// ShapeGRPC is an error built from the status of a gRPC call by FromGRPCStatus.
	ShapeGRPC Shape = "grpc"
	// ShapeABCI is an error built from a transaction result by FromABCI or
	// FromTxResponse.
	ShapeABCI Shape = "abci"
)

// APIError is an error response from the platform, decoded from any response with a
// status of 400 or more. Each known category has its own type embedding *APIError
// (NotFoundError, RateLimitError, ...); errors.As with **APIError finds any of them.
type APIError struct {
	// Code is the wire form "module:number"; empty when the response had none.
	Code string
	// Module is the part of Code before its last colon.
	Module string
	// Number is the part of Code after its last colon; valid when HasNumber is true.
	Number    int
	HasNumber bool
	Message   string
	// Category is as the server sent it, even when the client does not know it.
	Category  Category
	Severity  Severity
	Retryable bool
	// Context holds the envelope's context object, or the members of an
	// {"error": "<text>"} body other than error and message (limit, reset_at, ...);
	// nil when there is none.
	Context map[string]any
	// HTTPStatus is the response's status; 0 for an error from a gRPC status or a
	// transaction result.
	HTTPStatus int
	// RequestID is the response's X-Request-ID header.
	RequestID string
	// Attempts is the number of attempts made when the retry helper gave up.
	Attempts int
	// RawBody is the response body, at most MaxErrorBodyBytes of it.
	RawBody []byte
	// Envelope reports whether a VirtEngine envelope or an RFC 9457 problem was found.
	Envelope bool
	// Shape tells what the error was decoded from.
	Shape Shape
	// Header holds the response's headers; nil for an error from a gRPC status or a
	// transaction result.
	Header http.Header
	// Method and URL are the request's, set by the retry helper.
	Method string
	URL    string
	// StopReason says why the retry helper stopped; empty until it did.
	StopReason StopReason
	// History lists the call's attempts in order, set by the retry helper.
	History []Attempt

	retryAfterMillis float64 // the server's hint, when hasRetryAfter
	hasRetryAfter    bool
	cause            error // the context error that ended the retries, if any
}

// Error returns "module:number: message", or the message alone without a code.
func (e *APIError) Error() string {
	if e.Code == "" {
		return e.Message
	}
	return e.Code + ": " + e.Message
}

// RetryAfter returns the server's retry hint (Retry-After-Ms, Retry-After,
// X-RateLimit-Reset or the body's reset_at), relative to the moment the response was
// decoded, and whether the response gave one. A hint too long for a time.Duration
// (about 292 years) is the longest Duration.
func (e *APIError) RetryAfter() (time.Duration, bool) {
	if !e.hasRetryAfter {
		return 0, false
	}
	nanos := e.retryAfterMillis * float64(time.Millisecond)
	if nanos >= math.MaxInt64 {
		return math.MaxInt64, true
	}
	return time.Duration(nanos), true
}

// RetryAfterMillis returns the server's retry hint in milliseconds, exactly as
// docs/client-behaviour.md 1.6 defines it even beyond a Duration's range (a
// Retry-After of 10^12 seconds is 10^15), and whether the response gave one. Use
// RetryAfter to wait.
func (e *APIError) RetryAfterMillis() (float64, bool) {
	return e.retryAfterMillis, e.hasRetryAfter
}

// Unwrap returns the context error (context.DeadlineExceeded or context.Canceled)
// that ended the retries after this error, or nil: when the context's deadline leaves
// no time to wait for the next attempt, or the context ends during the wait, the call
// ends with the last API error, which also matches the context error with errors.Is.
func (e *APIError) Unwrap() error { return e.cause }

// Timeout reports whether the retries ended because the context's deadline came, so
// that os.IsTimeout and (*url.Error).Timeout see it. The type of the timeout category
// reports true in any case.
func (e *APIError) Timeout() bool { return errors.Is(e.cause, context.DeadlineExceeded) }

// Is reports whether the error is the given registered code (errors.Is(err,
// ErrVeidMLInferenceFailed)) or matches the given common sentinel (errors.Is(err,
// ErrNotFound)).
func (e *APIError) Is(target error) bool {
	switch t := target.(type) {
	case *Code:
		return e.HasNumber && e.Module == t.module && e.Number == t.number
	case *Sentinel:
		return t.matchesAPIError(e)
	}
	return false
}

// StopReason says why the retry helper stopped sending a request
// (docs/client-behaviour.md 2.9).
type StopReason string

// The reasons a call stops.
const (
	// StopNotRetryable: the error is not retryable, or ShouldRetry said stop.
	StopNotRetryable StopReason = "not_retryable"
	// StopNotIdempotent: the request may have reached the server and is neither
	// idempotent nor carries an idempotency key.
	StopNotIdempotent StopReason = "not_idempotent"
	// StopMaxAttempts: every attempt the policy allows was made.
	StopMaxAttempts StopReason = "max_attempts"
	// StopBudgetExhausted: the retry budget could not pay for another retry.
	StopBudgetExhausted StopReason = "budget_exhausted"
	// StopHintTooLong: the server asked for a longer wait than MaxRetryAfter.
	StopHintTooLong StopReason = "hint_too_long"
	// StopDeadline: the call's deadline (the policy's, the call's or the context's)
	// passed, or would pass before the next attempt.
	StopDeadline StopReason = "deadline"
	// StopCancelled: the context was cancelled.
	StopCancelled StopReason = "cancelled"
	// StopBodyNotReplayable: the request's body cannot be sent a second time.
	StopBodyNotReplayable StopReason = "body_not_replayable"
)

// Attempt is one entry of a call's history: the HTTP status of the error response
// (HTTPStatus) or the phase of the connection error (Phase) it met, and the delay slept
// before it (0 for the first attempt). A successful attempt has its status.
type Attempt struct {
	HTTPStatus int
	Phase      Phase
	Delay      time.Duration
}

// Phase is the stage at which a request failed without a response.
type Phase string

// The phases of a ConnectionError.
const (
	// PhaseConnect: the connection could not be made; the request was certainly not
	// sent.
	PhaseConnect Phase = "connect"
	// PhaseReset: the connection broke; the request may have reached the server.
	PhaseReset Phase = "reset"
	// PhaseTimeout: the request timed out; it may have reached the server.
	PhaseTimeout Phase = "timeout"
)

// ConnectionError is a transport failure: the request got no HTTP response.
type ConnectionError struct {
	Phase    Phase
	Attempts int
	// Err is the underlying net/http error.
	Err error
	// Method and URL are the request's, set by the retry helper.
	Method string
	URL    string
	// StopReason says why the retry helper stopped; empty until it did.
	StopReason StopReason
	// History lists the call's attempts in order, set by the retry helper.
	History []Attempt
	// LastAPIError is the most recent error response an earlier attempt of the call
	// got, or nil.
	LastAPIError *APIError

	cause error // the context error that ended the retries, if any
}

func (e *ConnectionError) Error() string {
	if e.Err == nil {
		return "connection error (" + string(e.Phase) + ")"
	}
	return fmt.Sprintf("connection error (%s): %v", e.Phase, e.Err)
}

// Unwrap returns the underlying net/http error and, when the context ended the
// retries after this error, the context's error.
func (e *ConnectionError) Unwrap() []error {
	errs := make([]error, 0, 2)
	for _, err := range []error{e.Err, e.cause} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// Is reports whether the error matches the given common sentinel (errors.Is(err,
// ErrNetworkError)).
func (e *ConnectionError) Is(target error) bool {
	s, ok := target.(*Sentinel)
	return ok && s.matchesConnectionError(e)
}

// Timeout reports whether the request timed out (phase timeout), so that os.IsTimeout
// and (*url.Error).Timeout see it as the net/http error it holds would be seen.
func (e *ConnectionError) Timeout() bool { return e.Phase == PhaseTimeout }

// NotSent reports whether the request certainly never reached the server.
func (e *ConnectionError) NotSent() bool { return e.Phase == PhaseConnect }

// CanceledError ends a call whose context was cancelled during an attempt that had no
// earlier error response to return. It matches context.Canceled (and ErrCanceled) with
// errors.Is.
type CanceledError struct {
	// Err is the context's error.
	Err      error
	Attempts int
	// Method and URL are the request's.
	Method string
	URL    string
	// History lists the attempts that ended before the cancellation.
	History []Attempt
	// LastAPIError is the most recent error response an earlier attempt got, or nil.
	LastAPIError *APIError
}

func (e *CanceledError) Error() string { return "call cancelled: " + e.Err.Error() }

// Unwrap returns the context's error.
func (e *CanceledError) Unwrap() error { return e.Err }

// Is reports whether the error matches the given common sentinel (errors.Is(err,
// ErrCanceled)).
func (e *CanceledError) Is(target error) bool {
	s, ok := target.(*Sentinel)
	return ok && s.has(failureCancelled)
}

// RequestError is a mistake in the request itself (an unsupported URL scheme, a URL
// without a host, an invalid header): the request was not sent and is never retried.
type RequestError struct {
	Method string
	URL    string
	Err    error
}

func (e *RequestError) Error() string { return "invalid request: " + e.Err.Error() }

// Unwrap returns what is wrong with the request.
func (e *RequestError) Unwrap() error { return e.Err }

// NotSent reports true: the request never left the client.
func (e *RequestError) NotSent() bool { return true }
