package veerrors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Policy says how a call is retried. DefaultPolicy holds the registry's defaults; a
// Retrier with the zero Policy uses them.
type Policy struct {
	// MaxAttempts counts every attempt, the first included.
	MaxAttempts       int
	BaseDelay         time.Duration
	ThrottleBaseDelay time.Duration
	MaxDelay          time.Duration
	// MaxRetryAfter: a server hint longer than this stops retrying rather than waiting.
	MaxRetryAfter time.Duration
	// Deadline bounds a whole call, attempts and sleeps included; 0 means none.
	Deadline time.Duration
	// NoBudget turns the retry budget off.
	NoBudget bool
}

// Validate reports the first setting of the policy that is out of range, as a
// *PolicyError naming it: MaxAttempts below 1, a negative delay, a negative Deadline.
// The zero Policy is valid (it stands for DefaultPolicy()). Retrier.Do and the
// Transport validate the policy before sending anything.
func (p Policy) Validate() error {
	if p == (Policy{}) {
		return nil
	}
	if p.MaxAttempts < 1 {
		return &PolicyError{Option: "Policy.MaxAttempts", Reason: fmt.Sprintf("is %d, must be at least 1", p.MaxAttempts)}
	}
	for _, d := range []struct {
		name  string
		value time.Duration
	}{{"BaseDelay", p.BaseDelay}, {"ThrottleBaseDelay", p.ThrottleBaseDelay}, {"MaxDelay", p.MaxDelay},
		{"MaxRetryAfter", p.MaxRetryAfter}, {"Deadline", p.Deadline}} {
		if d.value < 0 {
			return &PolicyError{Option: "Policy." + d.name, Reason: fmt.Sprintf("is %v, must not be negative", d.value)}
		}
	}
	return nil
}

// PolicyError is a retry setting out of range; Option names it ("Policy.MaxAttempts",
// "Call.Deadline", ...).
type PolicyError struct {
	Option string
	Reason string
}

func (e *PolicyError) Error() string { return "invalid retry option " + e.Option + ": " + e.Reason }

// DefaultPolicy returns the registry's retry policy.
func DefaultPolicy() Policy {
	return Policy{
		MaxAttempts:       DefaultMaxAttempts,
		BaseDelay:         DefaultBaseDelay,
		ThrottleBaseDelay: DefaultThrottleBaseDelay,
		MaxDelay:          DefaultMaxDelay,
		MaxRetryAfter:     DefaultMaxRetryAfter,
		NoBudget:          !DefaultBudgetEnabled,
	}
}

// Budget is a token bucket shared by every call of one client: retries spend tokens,
// successes give them back, so an outage is not multiplied by retries. It is safe for
// concurrent use.
type Budget struct {
	mu     sync.Mutex
	tokens int
}

// NewBudget returns a full budget.
func NewBudget() *Budget { return &Budget{tokens: BudgetCapacity} }

// NewBudgetWithTokens returns a budget holding tokens (clamped to 0..BudgetCapacity).
func NewBudgetWithTokens(tokens int) *Budget {
	return &Budget{tokens: max(0, min(tokens, BudgetCapacity))}
}

// Tokens returns the tokens left.
func (b *Budget) Tokens() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tokens
}

func (b *Budget) take(cost int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < cost {
		return false
	}
	b.tokens -= cost
	return true
}

func (b *Budget) give(tokens int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = min(BudgetCapacity, b.tokens+tokens)
}

// Decision is a ShouldRetry hook's answer.
type Decision int

// The answers of a ShouldRetry hook.
const (
	// DecideDefault leaves the decision to the error's retryable flag.
	DecideDefault Decision = iota
	// DecideRetry treats the error as retryable. The rules after it still apply: the
	// idempotency gate, a body that cannot be sent again, attempts, hints, the deadline
	// and the budget.
	DecideRetry
	// DecideStop stops the call (StopNotRetryable).
	DecideStop
)

// Retrier runs calls under a Policy. Every field is optional: the zero Retrier has the
// registry's policy, a budget of its own and the real clock, sleep and random source,
// and does not log. It is safe for concurrent use once its fields are set.
type Retrier struct {
	// Policy is the retry policy; the zero Policy means DefaultPolicy().
	Policy Policy
	// Budget is shared by every call of the Retrier; nil gives it a full one of its own.
	Budget *Budget
	// Rand returns draws in [0, 1) for full jitter; nil means math/rand/v2.Float64.
	Rand func() float64
	// Now and Sleep are the clock; Sleep returns ctx.Err() when ctx ends first. Nil means
	// time.Now (whose readings carry the monotonic clock) and a timer.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// ShouldRetry, when set, is asked after each failed attempt (the error, the number of
	// that attempt, the call) whether the error is retryable.
	ShouldRetry func(err error, attempt int, call Call) Decision
	// OnRetry, when set, is told of every retry before its sleep: the number of the
	// attempt about to be sent (2 for the first retry), the error, the delay and the
	// call. An error it returns ends the call with that error, and the retry's tokens go
	// back to the budget.
	OnRetry func(attempt int, err error, delay time.Duration, call Call) error
	// Logger, when set, logs every retry at debug level, with the method and URL.
	Logger *slog.Logger

	once   sync.Once
	budget *Budget // Budget, or the Retrier's own when Budget is nil
}

// NewRetrier returns a Retrier with the given policy, a full budget of its own, and
// the real clock, sleep and random source.
func NewRetrier(policy Policy) *Retrier {
	return &Retrier{Policy: policy, Budget: NewBudget(), Rand: rand.Float64, Now: time.Now,
		Sleep: sleepContext, Logger: slog.Default()}
}

// Call describes one call: the request (method, URL, headers, whether it carries an
// idempotency key, whether its body can be sent again) and per-call overrides (zero
// values keep the policy's).
type Call struct {
	// Method is compared without regard to case: "get" is as idempotent as "GET".
	Method string
	// URL is reported on errors and in the retry log line.
	URL string
	// Header holds the request's headers; a non-empty Idempotency-Key (any case) counts
	// as a key, as IdempotencyKey does.
	Header         http.Header
	IdempotencyKey bool
	// BodyNotReplayable marks a body that cannot be sent a second time: the request is
	// never sent twice (StopBodyNotReplayable).
	BodyNotReplayable bool
	// Request is the request a Transport is sending, for the hooks; nil otherwise.
	Request *http.Request

	MaxAttempts int
	Deadline    time.Duration
}

func (c Call) validate() error {
	if c.MaxAttempts < 0 {
		return &PolicyError{Option: "Call.MaxAttempts", Reason: fmt.Sprintf("is %d, must be at least 1 (0 keeps the policy's)", c.MaxAttempts)}
	}
	if c.Deadline < 0 {
		return &PolicyError{Option: "Call.Deadline", Reason: fmt.Sprintf("is %v, must not be negative (0 keeps the policy's)", c.Deadline)}
	}
	return nil
}

// hasKey reports whether the call carries an idempotency key: the option, or a
// non-empty Idempotency-Key header whatever the case of its name.
func (c Call) hasKey() bool {
	if c.IdempotencyKey {
		return true
	}
	for name, values := range c.Header {
		if strings.EqualFold(name, "Idempotency-Key") {
			for _, value := range values {
				if value != "" {
					return true
				}
			}
		}
	}
	return false
}

type budgetKey struct{}

// AttemptBudget returns the time the retry helper gave the attempt whose context this
// is (the time left until the call's deadline), and false when the call has no deadline.
// Retrier.Do also sets it as the context's deadline; the Transport bounds the attempt,
// reading the body included, by it.
func AttemptBudget(ctx context.Context) (time.Duration, bool) {
	budget, ok := ctx.Value(budgetKey{}).(time.Duration)
	return budget, ok
}

// Do runs send (attempt 1, 2, ...) until it succeeds or the policy says stop, and
// returns nil or the last error, with its Attempts, StopReason, History, Method and URL
// set. send returns nil, an error of this package, or another error (returned at once,
// unchanged, as a *RequestError or an invalid policy is).
//
// With a deadline (the policy's or the call's), each attempt's context ends when the
// deadline comes (AttemptBudget tells how long that is), and is cancelled once send
// returns; an attempt that fails because of it is a *ConnectionError of phase timeout,
// and the call stops (StopDeadline). A deadline that has come (the clock reads it or
// later) stops the call before anything else is decided.
//
// When ctx ends, or its deadline is too close to wait for the next attempt, after an
// attempt that failed with an API error, Do returns that API error wrapping ctx's error:
// errors.As finds the API error and errors.Is(err, context.DeadlineExceeded) (or
// context.Canceled) holds. Without an earlier API error, a cancellation gives a
// *CanceledError and ctx's deadline a *ConnectionError of phase timeout.
func (r *Retrier) Do(ctx context.Context, call Call, send func(ctx context.Context, attempt int) error) error {
	return r.run(ctx, call, func(ctx context.Context, attempt int) error {
		if budget, ok := AttemptBudget(ctx); ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, budget)
			defer cancel()
		}
		return send(ctx, attempt)
	})
}

// callState is what one call has gathered so far.
type callState struct {
	call       Call
	attempts   int
	history    []Attempt
	lastAPIErr error // the most recent API error, as send returned it (typed)
}

func (r *Retrier) run(ctx context.Context, call Call, send func(ctx context.Context, attempt int) error) error {
	r.init()
	policy := r.policy()
	if err := policy.Validate(); err != nil {
		return err
	}
	if err := call.validate(); err != nil {
		return err
	}
	maxAttempts, deadline := policy.MaxAttempts, policy.Deadline
	if call.MaxAttempts > 0 {
		maxAttempts = call.MaxAttempts
	}
	if call.Deadline > 0 {
		deadline = call.Deadline
	}
	var deadlineAt time.Time
	if deadline > 0 {
		deadlineAt = r.now().Add(deadline)
	}
	state := &callState{call: call}
	retries, taken := 0, 0
	var delay time.Duration // slept before the attempt
	for attempt := 1; ; attempt++ {
		attemptCtx := ctx
		if !deadlineAt.IsZero() {
			attemptCtx = context.WithValue(ctx, budgetKey{}, max(0, deadlineAt.Sub(r.now())))
		}
		err := send(attemptCtx, attempt)
		state.attempts = attempt
		if err == nil {
			r.refund(policy, retries, taken)
			return nil
		}
		apiErr, connErr := asAPIError(err), asConnectionError(err)
		if ctx.Err() != nil && apiErr == nil {
			// ctx ended during the attempt, which got no response.
			return r.ended(ctx.Err(), nil, delay, state)
		}
		if apiErr == nil && connErr == nil {
			switch {
			case !deadlineAt.IsZero() && errors.Is(err, context.DeadlineExceeded) && !r.now().Before(deadlineAt):
				// The attempt's budget ran out: the transport's timeout.
				connErr = &ConnectionError{Phase: PhaseTimeout, Err: err}
				err = connErr
			default:
				return err // a mistake in the request, a hook's error: unchanged
			}
		}
		entry := Attempt{Delay: delay}
		if apiErr != nil {
			entry.HTTPStatus = apiErr.HTTPStatus
			state.lastAPIErr = err
		} else {
			entry.Phase = connErr.Phase
		}
		state.history = append(state.history, entry)
		if ctx.Err() != nil {
			return r.ended(ctx.Err(), err, delay, state)
		}
		reason, next, cost, cause := r.plan(ctx, policy, call, err, attempt, maxAttempts, retries, deadlineAt)
		if reason != "" {
			return finish(err, reason, cause, state)
		}
		taken += cost
		if hookErr := r.report(ctx, attempt+1, err, next, call, cost); hookErr != nil {
			return hookErr
		}
		if sleepErr := r.sleep(ctx, next); sleepErr != nil {
			cause := ctx.Err()
			if cause == nil {
				cause = sleepErr
			}
			return r.ended(cause, err, delay, state)
		}
		retries++
		delay = next
	}
}

// ended returns the error of a call that ctx ended (cause is ctx's error) after last,
// the error of the last attempt (nil when the attempt itself was cut short, delay having
// been slept before it).
func (r *Retrier) ended(cause, last error, delay time.Duration, state *callState) error {
	if errors.Is(cause, context.DeadlineExceeded) {
		if last == nil {
			last = &ConnectionError{Phase: PhaseTimeout, Err: cause}
			state.history = append(state.history, Attempt{Phase: PhaseTimeout, Delay: delay})
		}
		return finish(last, StopDeadline, cause, state)
	}
	if state.lastAPIErr != nil {
		return finish(state.lastAPIErr, StopCancelled, cause, state)
	}
	return &CanceledError{Err: cause, Attempts: state.attempts, Method: state.call.Method, URL: state.call.URL,
		History: state.history}
}

// finish sets what the call's final error carries and returns it.
func finish(err error, reason StopReason, cause error, state *callState) error {
	if apiErr := asAPIError(err); apiErr != nil {
		apiErr.Attempts, apiErr.StopReason, apiErr.History = state.attempts, reason, state.history
		apiErr.Method, apiErr.URL = state.call.Method, state.call.URL
		if cause != nil {
			apiErr.cause = cause
		}
	} else if connErr := asConnectionError(err); connErr != nil {
		connErr.Attempts, connErr.StopReason, connErr.History = state.attempts, reason, state.history
		connErr.Method, connErr.URL = state.call.Method, state.call.URL
		connErr.LastAPIError = asAPIError(state.lastAPIErr)
		if cause != nil {
			connErr.cause = cause
		}
	}
	return err
}

func (r *Retrier) init() {
	r.once.Do(func() {
		r.budget = r.Budget
		if r.budget == nil {
			r.budget = NewBudget()
		}
	})
}

func (r *Retrier) policy() Policy {
	if r.Policy == (Policy{}) {
		return DefaultPolicy()
	}
	return r.Policy
}

func (r *Retrier) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

func (r *Retrier) sleep(ctx context.Context, d time.Duration) error {
	if r.Sleep == nil {
		return sleepContext(ctx, d)
	}
	return r.Sleep(ctx, d)
}

func (r *Retrier) draw() float64 {
	if r.Rand == nil {
		return rand.Float64()
	}
	return r.Rand()
}

// plan applies rules 2.1 to 2.7 of docs/client-behaviour.md after a failed attempt: the
// delay before the next one and the tokens it cost, or the reason to stop; cause is
// context.DeadlineExceeded when ctx's deadline comes before the delay does.
func (r *Retrier) plan(ctx context.Context, policy Policy, call Call, err error, attempt, maxAttempts, retries int,
	deadlineAt time.Time) (reason StopReason, delay time.Duration, cost int, cause error) {
	now := r.now()
	if !deadlineAt.IsZero() && !now.Before(deadlineAt) {
		return StopDeadline, 0, 0, nil
	}
	apiErr, connErr := asAPIError(err), asConnectionError(err)
	retryable := connErr != nil || apiErr.Retryable
	if r.ShouldRetry != nil {
		switch r.ShouldRetry(err, attempt, call) {
		case DecideRetry:
			retryable = true
		case DecideStop:
			retryable = false
		}
	}
	if !retryable {
		return StopNotRetryable, 0, 0, nil
	}
	throttling := apiErr != nil && (apiErr.Category == CategoryRateLimit || apiErr.HTTPStatus == 429)
	if !idempotentMethods[strings.ToUpper(call.Method)] && !call.hasKey() && !throttling && (connErr == nil || !connErr.NotSent()) {
		return StopNotIdempotent, 0, 0, nil
	}
	if call.BodyNotReplayable {
		return StopBodyNotReplayable, 0, 0, nil
	}
	if attempt >= maxAttempts {
		return StopMaxAttempts, 0, 0, nil
	}
	base := policy.BaseDelay
	if throttling {
		base = policy.ThrottleBaseDelay
	}
	backoff := r.draw() * math.Min(millis(policy.MaxDelay), millis(base)*math.Pow(2, float64(retries)))
	delay = time.Duration(backoff * float64(time.Millisecond))
	if apiErr != nil {
		if hint, hinted := apiErr.RetryAfter(); hinted {
			if hint > policy.MaxRetryAfter {
				return StopHintTooLong, 0, 0, nil
			}
			delay = max(hint, delay)
		}
	}
	if !deadlineAt.IsZero() && now.Add(delay).After(deadlineAt) {
		return StopDeadline, 0, 0, nil
	}
	if ctxDeadline, set := ctx.Deadline(); set && time.Until(ctxDeadline) < delay {
		// The context would end during the sleep: stop now, with the error in hand.
		return StopDeadline, 0, 0, context.DeadlineExceeded
	}
	if policy.NoBudget {
		return "", delay, 0, nil
	}
	cost = RetryCost
	if throttling {
		cost = ThrottleRetryCost
	}
	if !r.budget.take(cost) {
		return StopBudgetExhausted, 0, 0, nil
	}
	return "", delay, cost, nil
}

func (r *Retrier) refund(policy Policy, retries, taken int) {
	switch {
	case policy.NoBudget:
	case retries == 0:
		r.budget.give(SuccessRefund)
	default:
		r.budget.give(taken)
	}
}

// report tells OnRetry and the log of a retry; when OnRetry fails (an error or a panic),
// the retry's tokens go back to the budget.
func (r *Retrier) report(ctx context.Context, attempt int, err error, delay time.Duration, call Call, cost int) (hookErr error) {
	if r.OnRetry != nil {
		done := false
		defer func() {
			if !done {
				r.budget.give(cost)
			}
		}()
		hookErr = r.OnRetry(attempt, err, delay, call)
		done = hookErr == nil
		if hookErr != nil {
			return hookErr
		}
	}
	if r.Logger != nil && r.Logger.Enabled(ctx, slog.LevelDebug) {
		r.Logger.LogAttrs(ctx, slog.LevelDebug, "retrying", slog.String("method", call.Method),
			slog.String("url", call.URL), slog.Int("attempt", attempt), slog.Duration("delay", delay),
			slog.Any("error", err))
	}
	return nil
}

func asAPIError(err error) *APIError {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	return nil
}

func asConnectionError(err error) *ConnectionError {
	var connErr *ConnectionError
	if errors.As(err, &connErr) {
		return connErr
	}
	return nil
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
