package veerrors

import (
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
	// RetryAfterMillis is the server's retry hint in milliseconds, relative to the
	// moment of decoding; valid when HasRetryAfter is true. It is a float because a
	// hint may be too large for a time.Duration.
	RetryAfterMillis float64
	HasRetryAfter    bool
	// Attempts is the number of attempts made when the retry helper gave up.
	Attempts int
	// RawBody is the response body, at most MaxErrorBodyBytes of it.
	RawBody []byte
	// Envelope reports whether a VirtEngine envelope or an RFC 9457 problem was found.
	Envelope bool
	// Shape tells what the error was decoded from.
	Shape Shape
}

// Error returns "module:number: message", or the message alone without a code.
func (e *APIError) Error() string {
	if e.Code == "" {
		return e.Message
	}
	return e.Code + ": " + e.Message
}

// RetryAfter returns the server's hint as a duration, saturated at the largest one.
func (e *APIError) RetryAfter() (time.Duration, bool) {
	if !e.HasRetryAfter {
		return 0, false
	}
	nanos := e.RetryAfterMillis * float64(time.Millisecond)
	if nanos >= math.MaxInt64 {
		return time.Duration(math.MaxInt64), true
	}
	return time.Duration(nanos), true
}

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

// ConnectionError is a transport failure: the request got no HTTP response.
type ConnectionError struct {
	// Phase is "connect" (the request was certainly not sent), "reset" or "timeout"
	// (it may have reached the server).
	Phase    string
	Attempts int
	// Err is the underlying net/http error.
	Err error
}

// Connection error phases.
const (
	PhaseConnect = "connect"
	PhaseReset   = "reset"
	PhaseTimeout = "timeout"
)

func (e *ConnectionError) Error() string {
	if e.Err == nil {
		return "connection error (" + e.Phase + ")"
	}
	return fmt.Sprintf("connection error (%s): %v", e.Phase, e.Err)
}

// Unwrap returns the underlying net/http error.
func (e *ConnectionError) Unwrap() error { return e.Err }

// NotSent reports whether the request certainly never reached the server.
func (e *ConnectionError) NotSent() bool { return e.Phase == PhaseConnect }
