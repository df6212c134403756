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

// Policy says how a call is retried. DefaultPolicy holds the registry's defaults.
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

// Retrier runs calls under a Policy. The zero value is not usable: use NewRetrier.
type Retrier struct {
	Policy Policy
	Budget *Budget
	// Rand returns draws in [0, 1) for full jitter.
	Rand func() float64
	// Now and Sleep are the clock; Sleep returns ctx.Err() when ctx ends first.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// OnRetry, when set, is told of every retry before its sleep.
	OnRetry func(attempt int, err error, delay time.Duration)
	Logger  *slog.Logger
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
func (r *Retrier) Do(ctx context.Context, call Call, send func(ctx context.Context, attempt int) error) error {
	maxAttempts, deadline := r.Policy.MaxAttempts, r.Policy.Deadline
	if call.MaxAttempts > 0 {
		maxAttempts = call.MaxAttempts
	}
	if call.Deadline > 0 {
		deadline = call.Deadline
	}
	var deadlineAt time.Time
	if deadline > 0 {
		deadlineAt = r.Now().Add(deadline)
	}
	retries, taken := 0, 0
	for attempt := 1; ; attempt++ {
		err := send(ctx, attempt)
		if err == nil {
			r.refund(retries, taken)
			return nil
		}
		setAttempts(err, attempt)
		delay, cost, ok := r.plan(ctx, call, err, attempt, maxAttempts, retries, deadlineAt)
		if !ok {
			return err
		}
		taken += cost
		r.report(attempt+1, err, delay)
		if sleepErr := r.Sleep(ctx, delay); sleepErr != nil {
			return sleepErr
		}
		retries++
	}
}

// plan applies the rules of docs/client-behaviour.md section 2 after a failed attempt: the
// delay before the next one and the tokens it cost, or ok=false to stop.
func (r *Retrier) plan(ctx context.Context, call Call, err error, attempt, maxAttempts, retries int,
	deadlineAt time.Time) (delay time.Duration, cost int, ok bool) {
	now := r.Now()
	if ctx.Err() != nil || (!deadlineAt.IsZero() && now.After(deadlineAt)) {
		return 0, 0, false
	}
	apiErr, connErr, retryable := classify(err)
	if !retryable {
		return 0, 0, false
	}
	throttling := apiErr != nil && (apiErr.Category == CategoryRateLimit || apiErr.HTTPStatus == 429)
	safe := idempotentMethods[call.Method] || call.IdempotencyKey ||
		throttling || (connErr != nil && connErr.NotSent())
	if !safe || attempt >= maxAttempts {
		return 0, 0, false
	}
	base := r.Policy.BaseDelay
	if throttling {
		base = r.Policy.ThrottleBaseDelay
	}
	backoff := r.Rand() * math.Min(millis(r.Policy.MaxDelay), millis(base)*math.Pow(2, float64(retries)))
	delayMillis := backoff
	if apiErr != nil && apiErr.HasRetryAfter {
		if apiErr.RetryAfterMillis > millis(r.Policy.MaxRetryAfter) {
			return 0, 0, false
		}
		delayMillis = math.Max(apiErr.RetryAfterMillis, backoff)
	}
	delay = time.Duration(delayMillis * float64(time.Millisecond))
	if !deadlineAt.IsZero() && now.Add(delay).After(deadlineAt) {
		return 0, 0, false
	}
	if r.Policy.NoBudget {
		return delay, 0, true
	}
	cost = RetryCost
	if throttling {
		cost = ThrottleRetryCost
	}
	if !r.Budget.take(cost) {
		return 0, 0, false
	}
	return delay, cost, true
}

func (r *Retrier) refund(retries, taken int) {
	switch {
	case r.Policy.NoBudget:
	case retries == 0:
		r.Budget.give(SuccessRefund)
	default:
		r.Budget.give(taken)
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
