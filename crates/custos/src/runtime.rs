//! Process plumbing shared by the server commands: logging, the async runtime, binding the
//! listener, shutdown signals, and the one-line errors that end a command with exit code 2.

use std::fmt;
use std::net::SocketAddr;
use std::process::ExitCode;

use tokio::net::TcpListener;

/// An error that ends a command: printed as one line (zh-TW / English), exit code 2.
#[derive(Debug)]
pub struct CliError(pub String);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl CliError {
    /// Builds an error from both languages' texts.
    pub fn new(zh_tw: impl fmt::Display, en: impl fmt::Display) -> Self {
        CliError(format!("{zh_tw} / {en}"))
    }
}

/// Prints `err` as one line on stderr and returns exit code 2.
pub fn fail(command: &str, err: &CliError) -> ExitCode {
    let line = err.0.replace('\n', " ");
    eprintln!("custos {command}: {line}");
    ExitCode::from(crate::cmd::EXIT_USAGE)
}

/// Installs the log subscriber (JSON-free, compact, to stderr).
pub fn init_tracing(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .compact()
        .try_init();
}

/// A multi-threaded tokio runtime.
pub fn tokio_runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            CliError::new(
                format!("無法啟動執行環境：{e}"),
                format!("cannot start the runtime: {e}"),
            )
        })
}

/// Binds the HTTP listener, turning the usual failures into a clear sentence.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, CliError> {
    TcpListener::bind(addr).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => CliError::new(
            format!(
                "連接埠 {} 已被其他程式使用，請以 --port 指定其他連接埠",
                addr.port()
            ),
            format!(
                "port {} is already in use; choose another with --port",
                addr.port()
            ),
        ),
        std::io::ErrorKind::PermissionDenied => CliError::new(
            format!("沒有權限使用位址 {addr}"),
            format!("no permission to listen on {addr}"),
        ),
        _ => CliError::new(
            format!("無法在 {addr} 上接聽：{e}"),
            format!("cannot listen on {addr}: {e}"),
        ),
    })
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
