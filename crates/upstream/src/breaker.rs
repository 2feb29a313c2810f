//! Circuit breaker: stops calling a registry that keeps failing, and tries again after a cooldown.
//!
//! States: **closed** (calls go through; consecutive failures are counted) → **open** after
//! `failure_threshold` consecutive failures (calls fail at once, no network) → **half-open** when
//! the cooldown has passed on the injected [`Clock`] (one trial call goes through) → **closed**
//! after the trial succeeds, or **open** again if it fails. A trial abandoned mid-flight (its
//! future dropped) is replaced by another after one more cooldown, so the breaker cannot stick.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};
use custos_domain::clock::Clock;

/// Breaker thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerSettings {
    /// Consecutive failures that open the breaker (at least 1).
    pub failure_threshold: u32,
    /// How long the breaker stays open before a trial call.
    pub cooldown: Duration,
}

impl Default for BreakerSettings {
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            cooldown: Duration::seconds(30),
        }
    }
}

/// The breaker's state, for display and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls go through.
    Closed {
        /// Failures in a row so far.
        consecutive_failures: u32,
    },
    /// Calls fail at once until `until`.
    Open {
        /// End of the cooldown.
        until: DateTime<Utc>,
    },
    /// One trial call is in flight.
    HalfOpen {
        /// When the trial started.
        trial_started: DateTime<Utc>,
    },
}

/// A circuit breaker driven by an injected clock.
#[derive(Debug)]
pub struct CircuitBreaker {
    settings: BreakerSettings,
    clock: Arc<dyn Clock>,
    state: Mutex<BreakerState>,
}

impl CircuitBreaker {
    /// A closed breaker.
    pub fn new(settings: BreakerSettings, clock: Arc<dyn Clock>) -> Self {
        Self {
            settings: BreakerSettings {
                failure_threshold: settings.failure_threshold.max(1),
                cooldown: settings.cooldown,
            },
            clock,
            state: Mutex::new(BreakerState::Closed {
                consecutive_failures: 0,
            }),
        }
    }

    /// The current state (an open breaker whose cooldown has passed still reads as open until
    /// the next [`Self::acquire`]).
    pub fn state(&self) -> BreakerState {
        *self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Asks to make a call. `Err(retry_at)` when the breaker is open (or a trial is in flight).
    pub fn acquire(&self) -> Result<(), DateTime<Utc>> {
        let now = self.clock.now();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match *state {
            BreakerState::Closed { .. } => Ok(()),
            BreakerState::Open { until } if now >= until => {
                *state = BreakerState::HalfOpen { trial_started: now };
                Ok(())
            }
            BreakerState::Open { until } => Err(until),
            BreakerState::HalfOpen { trial_started } => {
                let stale = trial_started + self.settings.cooldown;
                if now >= stale {
                    *state = BreakerState::HalfOpen { trial_started: now };
                    Ok(())
                } else {
                    Err(stale)
                }
            }
        }
    }

    /// Records that the registry answered (successfully, or with a refusal that shows it is up).
    pub fn record_success(&self) {
        *self.state.lock().unwrap_or_else(PoisonError::into_inner) = BreakerState::Closed {
            consecutive_failures: 0,
        };
    }

    /// Records a failure that says the registry is unhealthy.
    pub fn record_failure(&self) {
        let now = self.clock.now();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        *state = match *state {
            BreakerState::Closed {
                consecutive_failures,
            } => {
                let n = consecutive_failures.saturating_add(1);
                if n >= self.settings.failure_threshold {
                    BreakerState::Open {
                        until: now + self.settings.cooldown,
                    }
                } else {
                    BreakerState::Closed {
                        consecutive_failures: n,
                    }
                }
            }
            BreakerState::HalfOpen { .. } => BreakerState::Open {
                until: now + self.settings.cooldown,
            },
            open @ BreakerState::Open { .. } => open,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use custos_domain::clock::FakeClock;

    fn breaker() -> (Arc<FakeClock>, CircuitBreaker) {
        let clock = Arc::new(FakeClock::new(
            Utc.with_ymd_and_hms(2025, 6, 2, 1, 0, 0).unwrap(),
        ));
        let b = CircuitBreaker::new(
            BreakerSettings {
                failure_threshold: 3,
                cooldown: Duration::seconds(30),
            },
            clock.clone(),
        );
        (clock, b)
    }

    #[test]
    fn the_breaker_opens_after_the_threshold_of_consecutive_failures() {
        let (clock, b) = breaker();
        for _ in 0..2 {
            assert!(b.acquire().is_ok());
            b.record_failure();
        }
        assert!(matches!(
            b.state(),
            BreakerState::Closed {
                consecutive_failures: 2
            }
        ));
        assert!(b.acquire().is_ok());
        b.record_failure();
        let until = clock.now() + Duration::seconds(30);
        assert_eq!(b.state(), BreakerState::Open { until });
        assert_eq!(b.acquire(), Err(until));
    }

    #[test]
    fn a_success_resets_the_count_of_failures() {
        let (_clock, b) = breaker();
        b.record_failure();
        b.record_failure();
        b.record_success();
        b.record_failure();
        assert!(matches!(
            b.state(),
            BreakerState::Closed {
                consecutive_failures: 1
            }
        ));
    }

    #[test]
    fn after_the_cooldown_one_trial_goes_through_and_a_success_closes_the_breaker() {
        let (clock, b) = breaker();
        for _ in 0..3 {
            b.record_failure();
        }
        clock.advance(Duration::seconds(29));
        assert!(b.acquire().is_err());
        clock.advance(Duration::seconds(1));
        assert!(b.acquire().is_ok(), "trial call allowed");
        assert!(matches!(b.state(), BreakerState::HalfOpen { .. }));
        assert!(b.acquire().is_err(), "only one trial at a time");
        b.record_success();
        assert_eq!(
            b.state(),
            BreakerState::Closed {
                consecutive_failures: 0
            }
        );
        assert!(b.acquire().is_ok());
    }

    #[test]
    fn a_failed_trial_opens_the_breaker_for_another_cooldown() {
        let (clock, b) = breaker();
        for _ in 0..3 {
            b.record_failure();
        }
        clock.advance(Duration::seconds(30));
        assert!(b.acquire().is_ok());
        b.record_failure();
        assert_eq!(
            b.state(),
            BreakerState::Open {
                until: clock.now() + Duration::seconds(30)
            }
        );
    }

    #[test]
    fn an_abandoned_trial_is_replaced_after_a_cooldown() {
        let (clock, b) = breaker();
        for _ in 0..3 {
            b.record_failure();
        }
        clock.advance(Duration::seconds(30));
        assert!(b.acquire().is_ok());
        clock.advance(Duration::seconds(30));
        assert!(b.acquire().is_ok());
    }
}
