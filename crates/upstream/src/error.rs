//! What can go wrong when Custos talks to a registry, said plainly in zh-TW and English.
//!
//! Invariant: every variant names the registry and the phase that failed, so a querier reading the
//! message knows whether to retry, to call the registry, or to fix the request. The stable codes
//! (`Bilingual::code`) go to logs and the error catalogue and never change once released.

use chrono::{DateTime, Utc};

use custos_domain::text::Bilingual;

/// The phase in which a request to a registry ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutPhase {
    /// Opening the connection (TCP or TLS).
    Connecting,
    /// The request was sent; no answer arrived in time.
    WaitingForAnswer,
    /// The answer started but its body did not arrive in time.
    ReadingAnswer,
}

impl TimeoutPhase {
    fn zh_tw(self) -> &'static str {
        match self {
            Self::Connecting => "建立連線時",
            Self::WaitingForAnswer => "等待回覆時",
            Self::ReadingAnswer => "接收回覆內容時",
        }
    }
    fn en(self) -> &'static str {
        match self {
            Self::Connecting => "while connecting",
            Self::WaitingForAnswer => "waiting for the answer",
            Self::ReadingAnswer => "while reading the answer",
        }
    }
}

/// A failure of a call to a registry. `Display` shows zh-TW first, then English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.both())]
pub enum UpstreamError {
    /// The registry could not be reached at all (DNS, connection refused, network down).
    Unreachable {
        /// Registry label, e.g. `JCIC`.
        registry: String,
        /// Technical detail (no personal data).
        detail: String,
    },
    /// The registry did not answer in time.
    Timeout {
        /// Registry label.
        registry: String,
        /// Where the time ran out.
        phase: TimeoutPhase,
    },
    /// The registry answered and refused the request (HTTP 4xx). Not retried.
    Refused {
        /// Registry label.
        registry: String,
        /// HTTP status.
        status: u16,
        /// The registry's own error code, e.g. `invalid_subject_id`.
        code: String,
        /// The registry's message in zh-TW.
        message_zh: String,
        /// The registry's message in English.
        message_en: String,
    },
    /// The registry failed while handling the request (HTTP 5xx).
    ServerError {
        /// Registry label.
        registry: String,
        /// HTTP status.
        status: u16,
    },
    /// The registry answered with something that is not the agreed format.
    Malformed {
        /// Registry label.
        registry: String,
        /// What was wrong with it.
        detail: String,
    },
    /// Calls are paused after repeated failures (circuit breaker open).
    CircuitOpen {
        /// Registry label.
        registry: String,
        /// When the next trial call will be allowed.
        retry_at: DateTime<Utc>,
    },
    /// The TLS handshake failed (certificate, client certificate, protocol).
    Tls {
        /// Registry label.
        registry: String,
        /// Technical detail.
        detail: String,
    },
    /// The connector is configured wrongly (bad URL, unreadable certificate, bad request value).
    Config {
        /// What is wrong.
        detail: String,
    },
}

impl UpstreamError {
    /// Whether another attempt with the same idempotency key may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. } | Self::Timeout { .. } | Self::ServerError { .. }
        )
    }

    /// Whether this failure says the registry is unhealthy (counts towards opening the breaker).
    /// A refusal (4xx) means the registry is up and answering, so it does not count.
    pub fn counts_against_registry(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. }
                | Self::Timeout { .. }
                | Self::ServerError { .. }
                | Self::Malformed { .. }
                | Self::Tls { .. }
        )
    }
}

fn taipei(t: &DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Asia::Taipei)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

impl Bilingual for UpstreamError {
    fn code(&self) -> &'static str {
        match self {
            Self::Unreachable { .. } => "upstream_unreachable",
            Self::Timeout { .. } => "upstream_timeout",
            Self::Refused { .. } => "upstream_refused",
            Self::ServerError { .. } => "upstream_server_error",
            Self::Malformed { .. } => "upstream_malformed_answer",
            Self::CircuitOpen { .. } => "upstream_circuit_open",
            Self::Tls { .. } => "upstream_tls",
            Self::Config { .. } => "upstream_config",
        }
    }

    fn zh_tw(&self) -> String {
        match self {
            Self::Unreachable { registry, detail } => {
                format!("無法連線至{registry}（{detail}）")
            }
            Self::Timeout { registry, phase } => {
                format!("{registry}逾時未回應（{}）", phase.zh_tw())
            }
            Self::Refused {
                registry,
                status,
                code,
                message_zh,
                ..
            } => format!("{registry}拒絕此請求（HTTP {status}，{code}）：{message_zh}"),
            Self::ServerError { registry, status } => {
                format!("{registry}處理請求時發生錯誤（HTTP {status}）")
            }
            Self::Malformed { registry, detail } => {
                format!("{registry}回覆的內容格式不正確（{detail}）")
            }
            Self::CircuitOpen { registry, retry_at } => format!(
                "{registry}連續失敗，暫停連線至 {}（臺北時間）",
                taipei(retry_at)
            ),
            Self::Tls { registry, detail } => {
                format!("與{registry}的加密連線（TLS）失敗（{detail}）")
            }
            Self::Config { detail } => format!("介接設定錯誤（{detail}）"),
        }
    }

    fn en(&self) -> String {
        match self {
            Self::Unreachable { registry, detail } => {
                format!("{registry} is unreachable ({detail})")
            }
            Self::Timeout { registry, phase } => {
                format!("{registry} timed out {}", phase.en())
            }
            Self::Refused {
                registry,
                status,
                code,
                message_en,
                ..
            } => format!("{registry} refused the request (HTTP {status}, {code}): {message_en}"),
            Self::ServerError { registry, status } => {
                format!("{registry} failed while handling the request (HTTP {status})")
            }
            Self::Malformed { registry, detail } => {
                format!("{registry} sent a malformed answer ({detail})")
            }
            Self::CircuitOpen { registry, retry_at } => format!(
                "{registry} failed repeatedly; calls are paused until {} (Taipei time)",
                taipei(retry_at)
            ),
            Self::Tls { registry, detail } => {
                format!("the TLS connection to {registry} failed ({detail})")
            }
            Self::Config { detail } => format!("the connector is misconfigured ({detail})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_show_chinese_first_then_english() {
        let e = UpstreamError::Timeout {
            registry: "JCIC".into(),
            phase: TimeoutPhase::ReadingAnswer,
        };
        assert_eq!(
            e.to_string(),
            "JCIC逾時未回應（接收回覆內容時） / JCIC timed out while reading the answer"
        );
        assert_eq!(e.code(), "upstream_timeout");
        assert!(e.is_retryable());
    }

    #[test]
    fn a_refusal_is_not_retried_and_does_not_count_against_the_registry() {
        let e = UpstreamError::Refused {
            registry: "JCIC".into(),
            status: 422,
            code: "invalid_subject_id".into(),
            message_zh: "身分證統一編號錯誤".into(),
            message_en: "invalid subject ID".into(),
        };
        assert!(!e.is_retryable());
        assert!(!e.counts_against_registry());
    }
}
