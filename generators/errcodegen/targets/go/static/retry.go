package veerrors

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"math/rand/v2"
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
	// time.Now and a timer.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// OnRetry, when set, is told of every retry before its sleep.
	OnRetry func(attempt int, err error, delay time.Duration)
	// Logger, when set, logs every retry at debug level.
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

// Call describes one call: its method, whether it carries an idempotency key, and
// per-call overrides (zero values keep the policy's).
type Call struct {
	Method         string
	IdempotencyKey bool
	MaxAttempts    int
	Deadline       time.Duration
}

// Do runs send (attempt 1, 2, ...) until it succeeds or the policy says stop, and
// returns nil or the last error, with its Attempts set. send returns nil, an error of
// this package, or another error (returned at once).
//
// When ctx ends, or its deadline is too close to wait for the next attempt, after an
// attempt that failed with an API error, Do returns that API error wrapping ctx's error:
// errors.As finds the API error and errors.Is(err, context.DeadlineExceeded) (or
// context.Canceled) holds. Without an earlier API error it returns ctx's error.
func (r *Retrier) Do(ctx context.Context, call Call, send func(ctx context.Context, attempt int) error) error {
	r.init()
	policy := r.policy()
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
	retries, taken := 0, 0
	var lastAPIErr error // the most recent attempt's API error
	for attempt := 1; ; attempt++ {
		err := send(ctx, attempt)
		if err == nil {
			r.refund(policy, retries, taken)
			return nil
		}
		setAttempts(err, attempt)
		if isAPIError(err) {
			lastAPIErr = err
		} else if ctx.Err() != nil && lastAPIErr != nil {
			// The attempt after an API error was cut short by ctx: that API error is
			// what the call got.
			return withCause(lastAPIErr, ctx.Err())
		}
		delay, cost, ok, cause := r.plan(ctx, policy, call, err, attempt, maxAttempts, retries, deadlineAt)
		if !ok {
			if lastAPIErr == err {
				return withCause(err, cause)
			}
			return err
		}
		taken += cost
		r.report(attempt+1, err, delay)
		if sleepErr := r.sleep(ctx, delay); sleepErr != nil {
			if lastAPIErr == err {
				return withCause(err, sleepErr)
			}
			return sleepErr
		}
		retries++
	}
}

// withCause returns err, an API error, with cause as the context error that ended the
// call; cause nil leaves it unchanged.
func withCause(err, cause error) error {
	var apiErr *APIError
	if cause != nil && errors.As(err, &apiErr) {
		apiErr.cause = cause
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

// plan applies the rules of docs/client-behaviour.md section 2 after a failed attempt: the
// delay before the next one and the tokens it cost, or ok=false to stop; cause is ctx's
// error when ctx ended or its deadline comes before the delay does.
func (r *Retrier) plan(ctx context.Context, policy Policy, call Call, err error, attempt, maxAttempts, retries int,
	deadlineAt time.Time) (delay time.Duration, cost int, ok bool, cause error) {
	now := r.now()
	if ctx.Err() != nil {
		return 0, 0, false, ctx.Err()
	}
	if !deadlineAt.IsZero() && now.After(deadlineAt) {
		return 0, 0, false, nil
	}
	apiErr, connErr, retryable := classify(err)
	if !retryable {
		return 0, 0, false, nil
	}
	throttling := apiErr != nil && (apiErr.Category == CategoryRateLimit || apiErr.HTTPStatus == 429)
	safe := idempotentMethods[call.Method] || call.IdempotencyKey ||
		throttling || (connErr != nil && connErr.NotSent())
	if !safe || attempt >= maxAttempts {
		return 0, 0, false, nil
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
				return 0, 0, false, nil
			}
			delay = max(hint, delay)
		}
	}
	if !deadlineAt.IsZero() && now.Add(delay).After(deadlineAt) {
		return 0, 0, false, nil
	}
	if ctxDeadline, set := ctx.Deadline(); set && time.Until(ctxDeadline) < delay {
		// The context would end during the sleep: stop now, with the error in hand.
		return 0, 0, false, context.DeadlineExceeded
	}
	if policy.NoBudget {
		return delay, 0, true, nil
	}
	cost = RetryCost
	if throttling {
		cost = ThrottleRetryCost
	}
	if !r.budget.take(cost) {
		return 0, 0, false, nil
	}
	return delay, cost, true, nil
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

func (r *Retrier) report(attempt int, err error, delay time.Duration) {
	if r.OnRetry != nil {
		r.OnRetry(attempt, err, delay)
	}
	if r.Logger != nil {
		r.Logger.Debug("retrying", "attempt", attempt, "delay", delay, "error", err)
	}
}

func classify(err error) (apiErr *APIError, connErr *ConnectionError, retryable bool) {
	if errors.As(err, &connErr) {
		return nil, connErr, true
	}
	if errors.As(err, &apiErr) {
		return apiErr, nil, apiErr.Retryable
	}
	return nil, nil, false
}

func isAPIError(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr)
}

func setAttempts(err error, attempts int) {
	var apiErr *APIError
	var connErr *ConnectionError
	if errors.As(err, &apiErr) {
		apiErr.Attempts = attempts
	} else if errors.As(err, &connErr) {
		connErr.Attempts = attempts
	}
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
