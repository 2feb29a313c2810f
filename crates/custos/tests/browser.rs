//! Browser smoke test: the real `custos demo` binary, driven by headless Chromium through
//! chromedriver (W3C WebDriver over HTTP). The home page is in zh-TW, the language switch turns it
//! into English, and a screenshot is saved as `target/browser-smoke.png`.
//!
//! Needs Debian's `chromium` and `chromium-driver` (scripts/test installs them). Without them the
//! test is skipped loudly outside CI and fails under `CI=true`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should fail loudly"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use common::{Killed, free_port};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    )
}

async fn wait_until_up(client: &reqwest::Client, url: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_mins(1);
    loop {
        if let Ok(r) = client.get(url).send().await
            && r.status().is_success()
        {
            return;
        }
        assert!(Instant::now() < deadline, "{what} did not come up at {url}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

struct WebDriver {
    client: reqwest::Client,
    base: String,
    session: String,
}

impl WebDriver {
    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.client.request(method, &url);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let response: Value = req.send().await.unwrap().json().await.unwrap();
        assert!(
            response["value"].get("error").is_none(),
            "webdriver {path}: {response}"
        );
        response["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    async fn find(&self, css: &str) -> String {
        let v = self
            .cmd(
                reqwest::Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        v[ELEMENT_KEY].as_str().unwrap().to_owned()
    }

    async fn attribute(&self, css: &str, name: &str) -> String {
        let id = self.find(css).await;
        let v = self
            .cmd(
                reqwest::Method::GET,
                &format!("/element/{id}/attribute/{name}"),
                None,
            )
            .await;
        v.as_str().unwrap_or_default().to_owned()
    }

    async fn text(&self, css: &str) -> String {
        let id = self.find(css).await;
        let v = self
            .cmd(reqwest::Method::GET, &format!("/element/{id}/text"), None)
            .await;
        v.as_str().unwrap_or_default().to_owned()
    }

    async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    async fn screenshot(&self, to: &Path) {
        let v = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap();
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, png).unwrap();
    }

    async fn wait_for_lang(&self, lang: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if self.attribute("html", "lang").await == lang {
                return;
            }
            assert!(Instant::now() < deadline, "page never switched to {lang}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[tokio::test]
async fn the_demo_home_page_is_zh_tw_and_switches_to_english_in_chromium() {
    let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"]);
    let driver = find_program(&["chromedriver"]);
    let (Some(chromium), Some(driver)) = (chromium, driver) else {
        let msg = "chromium / chromedriver not installed: browser smoke test NOT RUN (scripts/test installs them)";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}");
        eprintln!("\n*** {msg} ***\n");
        return;
    };

    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let _custos = Killed(
        Command::new(env!("CARGO_BIN_EXE_custos"))
            .args(["demo", "--port", &port.to_string(), "--data-dir"])
            .arg(data.path().join("data"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let driver_port = free_port();
    let _driver = Killed(
        Command::new(driver)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // reqwest is built without a default TLS provider in this workspace (ring, no aws-lc).
    custos_upstream::http::install_crypto_provider();
    let client = reqwest::Client::new();
    let site = format!("http://127.0.0.1:{port}");
    let base = format!("http://127.0.0.1:{driver_port}");
    wait_until_up(&client, &format!("{site}/healthz"), "custos demo").await;
    wait_until_up(&client, &format!("{base}/status"), "chromedriver").await;

    let profile = data.path().join("chromium-profile");
    let caps = json!({ "capabilities": { "alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    }}});
    let session: Value = client
        .post(format!("{base}/session"))
        .json(&caps)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session_id = session["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {session}"))
        .to_owned();
    let wd = WebDriver {
        client: client.clone(),
        base: base.clone(),
        session: session_id,
    };

    wd.goto(&format!("{site}/")).await;
    assert_eq!(wd.attribute("html", "lang").await, "zh-TW");
    assert!(wd.text("h1").await.contains("查詢治理系統"));
    assert_eq!(wd.text("#lang-switch").await, "English");

    wd.click("#lang-switch").await;
    wd.wait_for_lang("en").await;
    assert!(wd.text("h1").await.contains("lookup governance"));

    wd.goto(&format!("{site}/organisation")).await;
    assert_eq!(
        wd.attribute("html", "lang").await,
        "en",
        "the choice is kept"
    );
    assert!(wd.text("main").await.contains("示範商業銀行"));
    wd.screenshot(&target_dir().join("browser-smoke.png")).await;

    wd.click("#lang-switch").await;
    wd.wait_for_lang("zh-TW").await;

    let _ = client
        .delete(format!("{base}/session/{}", wd.session))
        .send()
        .await;
}
