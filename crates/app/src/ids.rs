//! Id generation, injected so that tests are deterministic.
//!
//! [`RandomIds`] makes UUIDv7 ids (time-ordered, which keeps B-tree inserts local) from the
//! injected clock plus random bits; [`SequentialIds`] counts up from 1 for tests and reproducible
//! demos. Nothing else in Custos creates ids.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use custos_domain::clock::Clock;
use uuid::Uuid;

/// A source of fresh ids.
pub trait IdGenerator: Send + Sync + std::fmt::Debug {
    /// A new id, different from every id this generator returned before.
    fn new_id(&self) -> Uuid;
}

/// UUIDv7 ids: the timestamp comes from the injected clock, the rest is random.
#[derive(Debug, Clone)]
pub struct RandomIds {
    clock: Arc<dyn Clock>,
}

impl RandomIds {
    /// Ids stamped with `clock`'s time.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self { clock }
    }
}

impl IdGenerator for RandomIds {
    fn new_id(&self) -> Uuid {
        let now = self.clock.now();
        // Instants before 1970 do not occur in Custos; clamp rather than panic.
        let seconds = u64::try_from(now.timestamp()).unwrap_or(0);
        let ts = uuid::Timestamp::from_unix(uuid::NoContext, seconds, now.timestamp_subsec_nanos());
        Uuid::new_v7(ts)
    }
}

/// Ids 1, 2, 3 … in the low bits of a fixed UUIDv7-shaped prefix. For tests and demos only.
#[derive(Debug, Default)]
pub struct SequentialIds {
    next: AtomicU64,
}

impl SequentialIds {
    /// A generator whose first id ends in 1.
    pub fn new() -> Self {
        Self::default()
    }
}

impl IdGenerator for SequentialIds {
    fn new_id(&self) -> Uuid {
        let n = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0000 | u128::from(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use custos_domain::clock::FakeClock;

    #[test]
    fn sequential_ids_count_up_from_one() {
        let ids = SequentialIds::new();
        assert_eq!(
            ids.new_id().to_string(),
            "00000000-0000-7000-8000-000000000001"
        );
        assert_eq!(
            ids.new_id().to_string(),
            "00000000-0000-7000-8000-000000000002"
        );
    }

    #[test]
    fn random_ids_are_version_7_stamped_with_the_injected_clock_and_distinct() {
        let start = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
        let clock = Arc::new(FakeClock::new(start));
        let ids = RandomIds::new(clock);
        let a = ids.new_id();
        let b = ids.new_id();
        assert_ne!(a, b);
        assert_eq!(a.get_version_num(), 7);
        let (secs, _) = a.get_timestamp().unwrap().to_unix();
        assert_eq!(secs, start.timestamp() as u64);
    }
}
