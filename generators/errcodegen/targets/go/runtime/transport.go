package veerrors

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Transport is an http.RoundTripper that sends each request under the retry policy.
// Like any RoundTripper it returns every response it gets, whatever its status, with
// its headers and body, so that middleware around it and http.Client see them; it
// only reads an error response (status >= 400) to decide whether to send the request
// again. Turn a response into the SDK's error with CheckResponse.
//
// The error it returns itself (wrapped by http.Client in a *url.Error, which errors.As
// and errors.Is see through) is a *ConnectionError when no response came (also when the
// deadline cut an attempt), a *CanceledError when the context was cancelled during an
// attempt, the last API error wrapping the context's error when the context ended (or
// its deadline came too close) after an error response, a *RequestError for a request
// that cannot be sent, a *PolicyError for an invalid policy, or the error of an OnRetry
// hook.
//
// With a deadline (the policy's, the call's or the context's), each attempt, reading the
// body included, gets the time left: a success's body stays bounded by it until closed.
//
// The zero Transport sends through http.DefaultTransport with the registry's policy and
// a retry budget of its own. A Transport must not be copied after first use.
type Transport struct {
	// Base sends each attempt; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Retrier holds the policy and the budget shared by every request of this client;
	// nil means NewRetrier(DefaultPolicy()), made on first use.
	Retrier *Retrier
	// IdempotencyKeys makes the transport add an Idempotency-Key to every request that
	// has none, so that POST and PATCH can be retried safely.
	IdempotencyKeys bool

	once    sync.Once
	retrier *Retrier
}

// NewTransport returns a Transport over http.DefaultTransport with the registry's
// policy and a budget of its own.
func NewTransport() *Transport {
	return &Transport{Retrier: NewRetrier(DefaultPolicy())}
}

type callKey struct{}

// WithCall returns a context whose requests use the given per-call overrides
// (MaxAttempts, Deadline); the rest of the Call (method, URL, headers, key, body) comes
// from the request itself.
func WithCall(ctx context.Context, call Call) context.Context {
	return context.WithValue(ctx, callKey{}, call)
}

// resultKey marks the request of a response the Transport returns; its value is the
// API error the Transport decoded from that response, with Attempts set.
type resultKey struct{}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	call, _ := req.Context().Value(callKey{}).(Call)
	call.Method, call.Header, call.Request = req.Method, req.Header, req
	if call.Method == "" {
		call.Method = http.MethodGet // as net/http reads an empty method
	}
	if req.URL != nil {
		call.URL = req.URL.Redacted()
	}
	key := req.Header.Get("Idempotency-Key")
	if key == "" && t.IdempotencyKeys {
		key = NewIdempotencyKey()
	}
	call.IdempotencyKey = key != ""
	call.BodyNotReplayable = req.Body != nil && req.Body != http.NoBody && req.GetBody == nil
	var response *http.Response // the last attempt's, while it may be returned
	err := t.retrierOrDefault().run(req.Context(), call, func(ctx context.Context, attempt int) error {
		if response != nil {
			_ = response.Body.Close() // an error response that is being retried
			response = nil
		}
		if attempt == 1 {
			if err := t.check(req); err != nil {
				return &RequestError{Method: call.Method, URL: call.URL, Err: err}
			}
		}
		cancel := context.CancelFunc(func() {})
		if budget, ok := AttemptBudget(ctx); ok {
			// The attempt, reading the body included, ends with the call's deadline.
			ctx, cancel = context.WithTimeout(ctx, budget)
		}
		attemptReq, err := prepare(ctx, req, attempt, key)
		if err != nil {
			cancel()
			return err
		}
		response, err = t.send(attemptReq, cancel)
		return err
	})
	switch {
	case response == nil:
		return nil, err
	case err == nil:
		return response, nil
	case req.Context().Err() != nil || asAPIError(err) == nil:
		// The context ended while the transport waited to send the request again (the
		// error is the last response's, wrapping the context's error), or a hook failed.
		_ = response.Body.Close()
		return nil, err
	}
	// The last error response, returned as it came; CheckResponse finds the error
	// decoded from it, with its Attempts, StopReason and History (and the context's
	// deadline, when that stopped the retries).
	response.Request = response.Request.WithContext(
		context.WithValue(response.Request.Context(), resultKey{}, err))
	return response, nil
}

// check finds the mistakes in a request that make sending it pointless: no URL, a scheme
// other than http and https (for a net/http base transport), no host, a method or a
// header that is not valid HTTP.
func (t *Transport) check(req *http.Request) error {
	if req.URL == nil {
		return errors.New("no URL")
	}
	scheme := strings.ToLower(req.URL.Scheme)
	if _, std := t.base().(*http.Transport); std && scheme != "http" && scheme != "https" {
		return fmt.Errorf("unsupported protocol scheme %q", req.URL.Scheme)
	}
	if (scheme == "http" || scheme == "https") && req.URL.Host == "" {
		return errors.New("no host in the URL")
	}
	if req.Method != "" && !isToken(req.Method) {
		return fmt.Errorf("invalid method %q", req.Method)
	}
	for name, values := range req.Header {
		if !isToken(name) {
			return fmt.Errorf("invalid header name %q", name)
		}
		for _, value := range values {
			if strings.ContainsFunc(value, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
				return fmt.Errorf("invalid value for header %q", name)
			}
		}
	}
	return nil
}

// isToken reports whether s is an RFC 9110 token (a method or a header name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r >= 0x7f || r <= ' ' || strings.ContainsRune("\"(),/:;<=>?@[\\]{}", r) {
			return false
		}
	}
	return true
}

func (t *Transport) retrierOrDefault() *Retrier {
	t.once.Do(func() {
		t.retrier = t.Retrier
		if t.retrier == nil {
			t.retrier = NewRetrier(DefaultPolicy())
		}
	})
	return t.retrier
}

// CloseIdleConnections closes the idle connections of the base transport, when it
// has such a method (http.Client.CloseIdleConnections calls it).
func (t *Transport) CloseIdleConnections() {
	type closeIdler interface{ CloseIdleConnections() }
	if base, ok := t.base().(closeIdler); ok {
		base.CloseIdleConnections()
	}
}

func (t *Transport) base() http.RoundTripper {
	if t.Base == nil {
		return http.DefaultTransport
	}
	return t.Base
}

func prepare(ctx context.Context, req *http.Request, attempt int, key string) (*http.Request, error) {
	if attempt == 1 && req.Header.Get("Idempotency-Key") == key {
		if ctx == req.Context() {
			return req, nil // nothing to add: the first attempt is the request as given
		}
		return req.WithContext(ctx), nil
	}
	out := req.Clone(ctx)
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

// send makes one attempt; cancel ends the attempt's context, once its response is
// closed or dropped. An error response comes back together with its decoded error; its
// body, of which at most MaxErrorBodyBytes were read, still reads in full.
func (t *Transport) send(req *http.Request, cancel context.CancelFunc) (*http.Response, error) {
	response, err := t.base().RoundTrip(req)
	if err != nil {
		cancel()
		return nil, &ConnectionError{Phase: phaseOf(err), Err: err}
	}
	if response.Request == nil {
		response.Request = req
	}
	if response.StatusCode < 100 || response.StatusCode > 999 {
		// Status 000 and the like: no HTTP response to speak of.
		_ = response.Body.Close()
		cancel()
		return nil, &ConnectionError{Phase: PhaseReset, Err: fmt.Errorf("invalid HTTP status %d", response.StatusCode)}
	}
	if response.StatusCode < 400 {
		response.Body = &cancelBody{ReadCloser: response.Body, cancel: cancel}
		return response, nil
	}
	head, readErr := io.ReadAll(io.LimitReader(response.Body, MaxErrorBodyBytes))
	if readErr != nil && req.Context().Err() != nil {
		// The deadline or the cancellation came while the body was read: the attempt
		// got no whole response.
		_ = response.Body.Close()
		cancel()
		return nil, &ConnectionError{Phase: phaseOf(readErr), Err: readErr}
	}
	decoded := DecodeError(response.StatusCode, response.Header, head, time.Now())
	response.Body = &replayedBody{Reader: io.MultiReader(bytes.NewReader(head), errorReader{readErr},
		response.Body), body: response.Body, cancel: cancel}
	return response, decoded
}

// cancelBody ends the attempt's context when the response body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// replayedBody gives back the bytes read from an error response before the rest.
type replayedBody struct {
	io.Reader
	body   io.ReadCloser
	cancel context.CancelFunc
}

func (b *replayedBody) Close() error {
	err := b.body.Close()
	b.cancel()
	return err
}

// errorReader returns err, or io.EOF when err is nil.
type errorReader struct{ err error }

func (r errorReader) Read([]byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	return 0, io.EOF
}

// CheckResponse returns nil for a response whose status is below 400; for an error
// response it returns the SDK's error (one of the category types, or *APIError) and
// closes the body. For a response from a Transport this is the error the Transport
// decoded, with Attempts and the context's error when the context ended its retries;
// any other response is decoded as ReadError does.
//
//	resp, err := client.Do(req)
//	if err != nil {
//		return err // no response: a *ConnectionError, or the context's error
//	}
//	defer resp.Body.Close()
//	if err := CheckResponse(resp); err != nil {
//		return err // *NotFoundError, ...
//	}
func CheckResponse(response *http.Response) error {
	if response.StatusCode < 400 {
		return nil
	}
	return ReadError(response)
}

// ReadError decodes an error response into the SDK's error, reading at most
// MaxErrorBodyBytes of its body, and closes the body. A response from a Transport
// gives the error the Transport decoded (see CheckResponse).
func ReadError(response *http.Response) error {
	defer response.Body.Close()
	if response.Request != nil {
		if decoded, ok := response.Request.Context().Value(resultKey{}).(error); ok && decoded != nil {
			return decoded
		}
	}
	body, _ := io.ReadAll(io.LimitReader(response.Body, MaxErrorBodyBytes))
	return DecodeError(response.StatusCode, response.Header, body, time.Now())
}

func phaseOf(err error) Phase {
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
