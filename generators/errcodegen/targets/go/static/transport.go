package veerrors

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Transport is an http.RoundTripper that sends each request under the retry policy
// and turns error responses (status >= 400) into the SDK's errors, which http.Client
// returns wrapped in a *url.Error (errors.As and errors.Is see through it).
type Transport struct {
	// Base sends each attempt; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Retrier holds the policy and the budget shared by every request of this client.
	Retrier *Retrier
	// IdempotencyKeys makes the transport add an Idempotency-Key to every request that
	// has none, so that POST and PATCH can be retried safely.
	IdempotencyKeys bool
}

// NewTransport returns a Transport over http.DefaultTransport with the registry's
// policy and a budget of its own.
func NewTransport() *Transport {
	return &Transport{Retrier: NewRetrier(DefaultPolicy())}
}

type callKey struct{}

// WithCall returns a context whose requests use the given per-call overrides
// (MaxAttempts, Deadline); Method and IdempotencyKey come from the request itself.
func WithCall(ctx context.Context, call Call) context.Context {
	return context.WithValue(ctx, callKey{}, call)
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	call, _ := req.Context().Value(callKey{}).(Call)
	call.Method = req.Method
	key := req.Header.Get("Idempotency-Key")
	if key == "" && t.IdempotencyKeys {
		key = NewIdempotencyKey()
	}
	call.IdempotencyKey = key != ""
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	if !replayable {
		call.MaxAttempts = 1 // a body that cannot be sent again is not retried
	}
	var response *http.Response
	err := t.Retrier.Do(req.Context(), call, func(ctx context.Context, attempt int) error {
		attemptReq, err := prepare(req, attempt, key)
		if err != nil {
			return err
		}
		response, err = t.send(attemptReq)
		return err
	})
	if err != nil {
		return nil, err
	}
	return response, nil
}

func prepare(req *http.Request, attempt int, key string) (*http.Request, error) {
	if attempt == 1 && req.Header.Get("Idempotency-Key") == key {
		return req, nil // nothing to add: the first attempt is the request as given
	}
	out := req.Clone(req.Context())
	if attempt > 1 && req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		out.Body = body
	}
	if key != "" {
		out.Header.Set("Idempotency-Key", key)
	}
	if attempt > 1 {
		out.Header.Set("Retry-Attempt", strconv.Itoa(attempt-1))
	}
	return out, nil
}

func (t *Transport) send(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	response, err := base.RoundTrip(req)
	if err != nil {
		if req.Context().Err() != nil {
			return nil, req.Context().Err()
		}
		return nil, &ConnectionError{Phase: phaseOf(err), Err: err}
	}
	if response.StatusCode < 400 {
		return response, nil
	}
	return nil, ReadError(response)
}

// ReadError decodes an error response into the SDK's error, reading at most
// MaxErrorBodyBytes of its body, and closes the body.
func ReadError(response *http.Response) error {
	defer response.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(response.Body, MaxErrorBodyBytes))
	return DecodeError(response.StatusCode, response.Header, body, time.Now())
}

func phaseOf(err error) string {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		return PhaseConnect
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return PhaseConnect
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return PhaseTimeout
	}
	return PhaseReset
}

// NewIdempotencyKey returns a random key (128 bits, hex).
func NewIdempotencyKey() string {
	var key [16]byte
	_, _ = rand.Read(key[:])
	return hex.EncodeToString(key[:])
}
