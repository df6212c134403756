package veerrors

import (
	"context"
	"errors"
	"fmt"
	"math"
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

	retryAfterMillis float64 // the server's hint, when hasRetryAfter
	hasRetryAfter    bool
	cause         error // the context error that ended the retries, if any
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
		return e.HasNumber && e.Module == t.Module && e.Number == t.Number
	case *Sentinel:
		return t.Matches(e)
	}
	return false
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
}

func (e *ConnectionError) Error() string {
	if e.Err == nil {
		return "connection error (" + string(e.Phase) + ")"
	}
	return fmt.Sprintf("connection error (%s): %v", e.Phase, e.Err)
}

// Unwrap returns the underlying net/http error.
func (e *ConnectionError) Unwrap() error { return e.Err }

// Timeout reports whether the request timed out (phase timeout), so that os.IsTimeout
// and (*url.Error).Timeout see it as the net/http error it holds would be seen.
func (e *ConnectionError) Timeout() bool { return e.Phase == PhaseTimeout }

// NotSent reports whether the request certainly never reached the server.
func (e *ConnectionError) NotSent() bool { return e.Phase == PhaseConnect }
