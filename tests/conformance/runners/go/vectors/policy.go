// Package vectors holds what the Go runners share.
package vectors

import (
	"time"

	veerrors "github.com/virtengine/virtengine-errors/clients/go"
)

// Policy is the registry's policy with a vector's or scenario's overrides (durations in ms).
func Policy(overrides map[string]any) veerrors.Policy {
	p := veerrors.DefaultPolicy()
	ms := func(name string, target *time.Duration) {
		if v, ok := overrides[name].(float64); ok {
			*target = time.Duration(v * float64(time.Millisecond))
		}
	}
	ms("base_delay_ms", &p.BaseDelay)
	ms("throttle_base_delay_ms", &p.ThrottleBaseDelay)
	ms("max_delay_ms", &p.MaxDelay)
	ms("max_retry_after_ms", &p.MaxRetryAfter)
	ms("deadline_ms", &p.Deadline)
	if v, ok := overrides["max_attempts"].(float64); ok {
		p.MaxAttempts = int(v)
	}
	if v, ok := overrides["budget"].(bool); ok {
		p.NoBudget = !v
	}
	return p
}
