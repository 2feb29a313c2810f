//! The ledger's JSON API and entry pages over real HTTP, against a real SQLite ledger written by
//! the organisation use cases: every returned proof verifies with the pure crate's verifier
//! against the signed checkpoint's root, a tampered hash does not, and bad parameters are
//! bilingual JSON errors with the right status (issue #3 items 5 and 8).

use custos_app::organisation::{AddOrgUnit, add_org_unit};
use custos_domain::institution::{OrgUnitCode, OrgUnitKind};
use custos_ledger::Hash;
use custos_ledger::checkpoint::Checkpoint;
use custos_ledger::note::NoteVerifier;
use custos_ledger::proof::{verify_consistency, verify_inclusion};
use serde_json::Value;

use crate::wiring::{Services, web_state};

fn unhex(s: &str) -> Hash {
    let bytes: Vec<u8> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect();
    bytes.try_into().unwrap()
}

fn hashes(v: &Value) -> Vec<Hash> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|h| unhex(h.as_str().unwrap()))
        .collect()
}

struct Server {
    addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Server {
    async fn start(services: &Services) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let router = custos_web::router(web_state(services));
        tokio::spawn(async move {
            let _ = custos_web::serve(listener, router, async move {
                let _ = stopped.await;
            })
            .await;
        });
        Self {
            addr,
            stop: Some(stop),
        }
    }

    /// A plain HTTP/1.0 GET (the server closes the connection after the response).
    async fn request(&self, path: &str, cookie: &str) -> (u16, String) {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let mut stream = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        let request = format!("GET {path} HTTP/1.0\r\nHost: {}\r\n{cookie}\r\n", self.addr);
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.unwrap();
        let response = String::from_utf8(response).unwrap();
        let status = response.split(' ').nth(1).unwrap().parse().unwrap();
        let body = response.split_once("\r\n\r\n").unwrap().1.to_owned();
        (status, body)
    }

    async fn get(&self, path: &str) -> (u16, String) {
        self.request(path, "").await
    }

    async fn json(&self, path: &str) -> (u16, Value) {
        let (status, body) = self.get(path).await;
        (status, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    async fn page_en(&self, path: &str) -> String {
        self.request(path, "Cookie: custos_lang=en\r\n").await.1
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Seeds the demo world (8 entries), publishes a checkpoint, adds three units and publishes
/// another: checkpoints at 8 and 11.
async fn ledger_with_two_checkpoints(dir: &std::path::Path) -> Services {
    let url = dir.join("custos.db").display().to_string();
    let services = Services::open_in(&url, dir).await.unwrap();
    crate::demo_world::seed(&services).await.unwrap();
    assert_eq!(services.ledger.checkpoint().await.unwrap().size, 8);
    let bank = services.db.list_institutions().await.unwrap()[0].clone();
    let head = services.db.list_org_units(bank.id).await.unwrap()[0].clone();
    for code in ["0201", "0202", "0203"] {
        add_org_unit(
            &services.ledger,
            services.clock.as_ref(),
            services.ids.as_ref(),
            AddOrgUnit {
                institution_id: bank.id,
                parent_id: head.id,
                code: OrgUnitCode::parse(code).unwrap(),
                name: format!("分行{code}"),
                kind: OrgUnitKind::Branch,
            },
        )
        .await
        .unwrap();
    }
    assert_eq!(services.ledger.checkpoint().await.unwrap().size, 11);
    services
}

fn open_checkpoint(note: &str, keys: &[NoteVerifier]) -> Checkpoint {
    Checkpoint::open(note, keys, None).unwrap().0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_inclusion_and_consistency_proof_verifies_against_the_signed_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let services = ledger_with_two_checkpoints(dir.path()).await;
    let server = Server::start(&services).await;

    let (status, ledger) = server.json("/api/ledger").await;
    assert_eq!(status, 200, "{ledger}");
    assert_eq!(ledger["size"], 11);
    let keys: Vec<NoteVerifier> = ledger["public_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| NoteVerifier::parse(k.as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(keys.len(), 1);
    let latest = open_checkpoint(ledger["latest_checkpoint"]["note"].as_str().unwrap(), &keys);
    assert_eq!(latest.size, 11);

    // Default size: the newest checkpoint. Every entry's proof leads to its signed root.
    for index in 0..11u64 {
        let (status, p) = server
            .json(&format!("/api/ledger/entries/{index}/inclusion"))
            .await;
        assert_eq!(status, 200, "{p}");
        assert_eq!(p["size"], 11);
        assert_eq!(p["verified"], true);
        assert_eq!(p["root_source"], "checkpoint");
        let leaf_hash = unhex(p["leaf_hash"].as_str().unwrap());
        let path = hashes(&p["audit_path"]);
        verify_inclusion(index, 11, &leaf_hash, &path, &latest.root).unwrap();
        // The leaf hash is the one of the entry's leaf.
        let (_, entry) = server.json(&format!("/api/ledger/entries/{index}")).await;
        assert_eq!(entry["leaf_hash"], p["leaf_hash"]);
        // A tampered hash anywhere fails.
        let mut bad_leaf = leaf_hash;
        bad_leaf[0] ^= 1;
        assert!(verify_inclusion(index, 11, &bad_leaf, &path, &latest.root).is_err());
        let mut bad_path = path.clone();
        bad_path[usize::try_from(index).unwrap() % path.len()][31] ^= 0x80;
        assert!(verify_inclusion(index, 11, &leaf_hash, &bad_path, &latest.root).is_err());
    }

    // Against the earlier checkpoint: the response carries its note.
    let (_, p) = server.json("/api/ledger/entries/3/inclusion?size=8").await;
    let first = open_checkpoint(p["checkpoint"]["note"].as_str().unwrap(), &keys);
    assert_eq!(first.size, 8);
    assert_eq!(p["root"].as_str().unwrap(), hex(&first.root));
    verify_inclusion(
        3,
        8,
        &unhex(p["leaf_hash"].as_str().unwrap()),
        &hashes(&p["audit_path"]),
        &first.root,
    )
    .unwrap();

    // Between the two checkpoints.
    let (status, c) = server.json("/api/ledger/consistency?from=8&to=11").await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["verified"], true);
    assert_eq!(c["from_root_source"], "checkpoint");
    let proof = hashes(&c["proof"]);
    verify_consistency(8, 11, &first.root, &latest.root, &proof).unwrap();
    let mut bad = proof.clone();
    bad[0][5] ^= 2;
    assert!(verify_consistency(8, 11, &first.root, &latest.root, &bad).is_err());
    // `to` defaults to the newest checkpoint.
    let (_, c) = server.json("/api/ledger/consistency?from=8").await;
    assert_eq!(c["to"], 11);

    // Checkpoints, newest first, paginated.
    let (_, list) = server.json("/api/ledger/checkpoints?per_page=1").await;
    assert_eq!(list["total"], 2);
    assert_eq!(list["checkpoints"].as_array().unwrap().len(), 1);
    assert_eq!(list["checkpoints"][0]["size"], 11);
    assert_eq!(list["checkpoints"][0]["signature_valid"], true);
    let (_, list) = server
        .json("/api/ledger/checkpoints?page=2&per_page=1")
        .await;
    assert_eq!(list["checkpoints"][0]["size"], 8);

    // An entry shows its tiers, never their content.
    let (_, e) = server.json("/api/ledger/entries/0").await;
    assert_eq!(e["kind_name"], "profile_change");
    assert_eq!(e["tiers"][0]["tier"], "fields");
    assert_eq!(e["tiers"][0]["state"], "held");
    assert_eq!(e["tiers"][1]["tier"], "payload");
    assert_eq!(e["leaf"].as_str().unwrap().len(), 200);
    assert!(!e.to_string().contains("custos-demo"));

    // The OpenAPI document describes every ledger route.
    let (_, doc) = server.json("/api/openapi.json").await;
    for path in [
        "/api/ledger",
        "/api/ledger/checkpoints",
        "/api/ledger/entries/{index}",
        "/api/ledger/entries/{index}/inclusion",
        "/api/ledger/consistency",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} undocumented");
    }
    assert!(doc["components"]["schemas"]["InclusionJson"].is_object());
    drop(server);
    services.ledger.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_parameters_are_bilingual_json_errors_with_the_right_status() {
    let dir = tempfile::tempdir().unwrap();
    let services = ledger_with_two_checkpoints(dir.path()).await;
    let server = Server::start(&services).await;
    for (path, status, code) in [
        ("/api/ledger/entries/abc", 400, "bad_parameter"),
        ("/api/ledger/entries/-1/inclusion", 400, "bad_parameter"),
        (
            "/api/ledger/entries/1/inclusion?size=x",
            400,
            "bad_parameter",
        ),
        ("/api/ledger/entries/11", 404, "ledger_entry_not_found"),
        (
            "/api/ledger/entries/99/inclusion",
            404,
            "ledger_entry_not_found",
        ),
        (
            "/api/ledger/entries/9/inclusion?size=8",
            400,
            "index_not_below_size",
        ),
        (
            "/api/ledger/entries/1/inclusion?size=12",
            400,
            "size_beyond_ledger",
        ),
        ("/api/ledger/consistency?from=11&to=8", 400, "from_after_to"),
        (
            "/api/ledger/consistency?from=1&to=50",
            400,
            "size_beyond_ledger",
        ),
        ("/api/ledger/consistency", 400, "bad_parameter"),
        ("/api/ledger/checkpoints?page=0", 400, "bad_page"),
        ("/api/ledger/checkpoints?per_page=1000", 400, "bad_page"),
    ] {
        let (got, body) = server.json(path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["error"]["code"], code, "{path}: {body}");
        assert_eq!(body["error"]["status"], status);
        assert!(!body["error"]["message_zh_tw"].as_str().unwrap().is_empty());
        assert!(!body["error"]["message_en"].as_str().unwrap().is_empty());
    }
    drop(server);
    services.ledger.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_entry_page_shows_the_checked_proof_and_a_changed_leaf_fails_it() {
    let dir = tempfile::tempdir().unwrap();
    let services = ledger_with_two_checkpoints(dir.path()).await;
    let server = Server::start(&services).await;
    let (status, page) = server.get("/ledger/entries/2").await;
    assert_eq!(status, 200);
    assert!(page.contains("已驗證 ✓"), "{page}");
    assert!(
        page.contains("custos ledger proof inclusion --bundle ledger.json --index 2 --size 11")
    );
    assert!(page.contains("<th scope=\"col\">"));
    let en = server.page_en("/ledger/entries/2").await;
    assert!(en.contains("verified ✓"));
    assert!(en.contains("organisation or profile change"));
    // The ledger page lists the newest entries and links to them.
    let (_, ledger) = server.get("/ledger").await;
    assert!(ledger.contains("href=\"/ledger/entries/10\""));
    assert!(ledger.contains("href=\"/ledger/entries/0\""));
    let (status, _) = server.get("/ledger?before=zz").await;
    assert_eq!(status, 400);
    let (status, _) = server.get("/ledger/entries/404").await;
    assert_eq!(status, 404);

    // Change one byte of a stored leaf behind the store's back: the proof no longer verifies.
    {
        use sqlx::Connection as _;
        let mut conn = sqlx::SqliteConnection::connect(&format!(
            "sqlite://{}",
            dir.path().join("custos.db").display()
        ))
        .await
        .unwrap();
        sqlx::query("DROP TRIGGER ledger_leaves_no_update")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("UPDATE ledger_leaves SET leaf = CAST(substr(leaf, 1, 50) || CASE WHEN substr(leaf, 51, 1) = x'ff' THEN x'00' ELSE x'ff' END || substr(leaf, 52) AS BLOB) WHERE idx = 2")
            .execute(&mut conn)
            .await
            .unwrap();
        // Entry 4's version byte: its leaf no longer decodes.
        sqlx::query(
            "UPDATE ledger_leaves SET leaf = CAST(x'07' || substr(leaf, 2) AS BLOB) WHERE idx = 4",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    }
    // A damaged ledger stays browsable, and says so.
    let (status, _) = server.get("/ledger").await;
    assert_eq!(status, 200);
    let (status, page) = server.get("/ledger/entries/4").await;
    assert_eq!(status, 200);
    assert!(page.contains("驗證失敗 ✗"), "{page}");
    let (_, p) = server.json("/api/ledger/entries/2/inclusion").await;
    assert_eq!(p["verified"], false, "{p}");
    let (_, page) = server.get("/ledger/entries/2").await;
    assert!(page.contains("驗證失敗 ✗"), "{page}");
    // Other entries' proofs do not read the changed leaf and still verify.
    let (_, p) = server.json("/api/ledger/entries/3/inclusion").await;
    assert_eq!(p["verified"], true);
    drop(server);
    services.ledger.shutdown().await;
}

/// Lower-case hex, as the API writes it.
fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

fn linked_entries(page: &str) -> Vec<u64> {
    page.split("href=\"/ledger/entries/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_institution_page_shows_the_entries_that_recorded_it_with_their_proof_status() {
    use custos_app::organisation::{ChangeProfile, change_profile};
    use custos_domain::institution::InstitutionCode;
    use custos_domain::profile::{ControlProfile, SettingKey};

    let dir = tempfile::tempdir().unwrap();
    let services = ledger_with_two_checkpoints(dir.path()).await;
    let land = services
        .db
        .get_institution_by_code(&InstitutionCode::parse("AF01").unwrap())
        .await
        .unwrap();
    let change = |rate: u32, reason: &str| {
        let mut draft = ControlProfile::taipei().draft();
        draft.set(SettingKey::QuerySamplingRate, rate);
        ChangeProfile {
            institution_id: land.id,
            expected_version: 1,
            draft,
            changed_by: "director".into(),
            reason: reason.into(),
        }
    };
    // A refused change leaves neither an entry nor a link; an accepted one is entry 11.
    assert!(
        change_profile(
            &services.ledger,
            services.clock.as_ref(),
            change(50, "looser")
        )
        .await
        .is_err()
    );
    change_profile(
        &services.ledger,
        services.clock.as_ref(),
        change(200, "tighter"),
    )
    .await
    .unwrap();
    let server = Server::start(&services).await;

    // The demo bank: its creation (with head office and profile version 1) is entry 0, its two
    // branches 1 and 2, the three units added later 8, 9 and 10.
    let (status, bank) = server.get("/organisation/institutions/9990000").await;
    assert_eq!(status, 200);
    let mut linked = linked_entries(&bank);
    linked.sort_unstable();
    assert_eq!(linked, vec![0, 0, 0, 1, 2, 8, 9, 10]);
    assert!(bank.contains("已驗證 ✓"));
    assert!(!bank.contains("驗證失敗"));
    // The land office: created by entry 3, units 4 and 5, profile version 2 by entry 11, which no
    // checkpoint covers yet.
    let (_, office) = server.get("/organisation/institutions/AF01").await;
    let mut linked = linked_entries(&office);
    linked.sort_unstable();
    assert_eq!(linked, vec![3, 3, 3, 4, 5, 11]);
    assert!(office.contains("待下一個檢查點"), "{office}");
    assert!(office.contains("tighter"));
    let (_, entry) = server.json("/api/ledger/entries/11").await;
    assert_eq!(entry["kind_name"], "profile_change");
    // Once a checkpoint covers it, its proof is checked too.
    services.ledger.checkpoint().await.unwrap();
    let office = server.page_en("/organisation/institutions/AF01").await;
    assert!(!office.contains("awaiting the next checkpoint"));
    assert_eq!(office.matches("verified ✓").count(), 6);
    // The overview links to the detail pages; an unknown code is 404.
    let (_, overview) = server.get("/organisation").await;
    assert!(overview.contains("href=\"/organisation/institutions/AF01\""));
    assert_eq!(server.get("/organisation/institutions/ZZ99").await.0, 404);
    assert_eq!(
        server.get("/organisation/institutions/%3Cx%3E").await.0,
        404
    );
    drop(server);
    services.ledger.shutdown().await;
}
