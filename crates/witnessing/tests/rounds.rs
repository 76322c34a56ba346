//! Rounds against real witnesses (`provenant-witness` over loopback) and
//! a ledger in memory: a 2-of-3 quorum that survives a witness down and
//! stalls with two, a `409` resent from the witness's size, a fork that
//! raises the alarm, and a restart that resumes from the record.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use ed25519_dalek::SigningKey;
use prometheus_client::registry::Registry;
use provenant_ledger::{Ledger, LedgerConfig, MemoryStore};
use provenant_tlog::{CosignatureVerifier, Note, Policy};
use provenant_witness::{LogConfig, Witness, WitnessConfig};
use provenant_witnessing::record::Record;
use provenant_witnessing::{Witnessing, WitnessingConfig};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const ORIGIN: &str = "example.test/provenant";

fn log_key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

fn ledger() -> Ledger {
    let config = LedgerConfig {
        origin: ORIGIN.into(),
        arbiters: Vec::new(),
        batch: provenant_ledger::sequencer::BatchConfig::default(),
    };
    Ledger::open(MemoryStore::new(), log_key(), config).unwrap()
}

async fn write(ledger: &Ledger, tag: &str) {
    let creator = provenant_testkit::key(7);
    let env = provenant_testkit::register(tag.as_bytes(), &[(&creator, 1_000_000)]);
    ledger.submit(env).await.unwrap();
}

/// A `provenant witness` served on loopback until stopped.
struct Running {
    url: String,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Running {
    async fn start(dir: &Path, seed: u8, ledger: &Ledger, port: u16) -> Self {
        let config = WitnessConfig {
            logs: vec![LogConfig {
                origin: ORIGIN.into(),
                keys: vec![ledger.verifier().clone()],
                url: None,
            }],
            replay: false,
        };
        let witness = Witness::open(
            dir,
            &name(seed),
            SigningKey::from_bytes(&[seed; 32]),
            config,
        )
        .unwrap();
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))
            .await
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, provenant_witness::app(witness))
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Self {
            url,
            stop: Some(stop),
            task,
        }
    }

    fn port(&self) -> u16 {
        self.url.rsplit(':').next().unwrap().parse().unwrap()
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.await.unwrap();
    }
}

fn name(seed: u8) -> String {
    format!("w{seed}.example")
}

fn verifier(seed: u8) -> CosignatureVerifier {
    provenant_tlog::Cosigner::new(&name(seed), SigningKey::from_bytes(&[seed; 32]))
        .unwrap()
        .verifier()
        .clone()
}

fn policy(ledger: &Ledger, urls: &[(u8, &str)]) -> Policy {
    let mut text = format!("log {}\n", ledger.verifier().to_text());
    for seed in 1..=3 {
        let url = urls.iter().find(|(s, _)| *s == seed).map_or("", |(_, u)| u);
        writeln!(text, "witness w{seed} {} {url}", verifier(seed).to_text()).unwrap();
    }
    text += "group main 2 w1 w2 w3\nquorum main\n";
    Policy::parse(text.as_bytes()).unwrap()
}

fn config(policy: Policy) -> WitnessingConfig {
    let log = policy.logs()[0].verifier.clone();
    WitnessingConfig::new(policy, Duration::from_secs(1), &log).unwrap()
}

fn metrics_text(w: &Witnessing) -> String {
    let mut registry = Registry::default();
    w.metrics().register(&mut registry);
    let mut out = String::new();
    prometheus_client::encoding::text::encode(&mut out, &registry).unwrap();
    out
}

fn size_of(note: &str) -> u64 {
    let note = Note::parse(note.as_bytes()).unwrap();
    provenant_tlog::Checkpoint::parse(note.text())
        .unwrap()
        .size
        .0
}

fn cosigners(note: &str) -> usize {
    let note = Note::parse(note.as_bytes()).unwrap();
    (1..=3)
        .filter(|&s| verifier(s).verify(&note).unwrap().is_some())
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quorum_of_two_survives_one_witness_down_and_stalls_with_two() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let ledger = ledger();
    let mut w = Vec::new();
    for (i, dir) in dirs.iter().enumerate() {
        w.push(Running::start(dir.path(), u8::try_from(i + 1).unwrap(), &ledger, 0).await);
    }
    let owned: Vec<String> = w.iter().map(|r| r.url.clone()).collect();
    let urls: Vec<(u8, &str)> = vec![(1, &owned[0]), (2, &owned[1]), (3, &owned[2])];
    let witnessing = Witnessing::new(ledger.clone(), config(policy(&ledger, &urls))).unwrap();

    // The empty log is not sent; a grown one is cosigned by all three.
    witnessing.round().await;
    assert_eq!(witnessing.witnessed(), None);
    write(&ledger, "one").await;
    witnessing.round().await;
    let head = ledger.head();
    let witnessed = witnessing.witnessed().expect("witnessed");
    assert_eq!(size_of(&witnessed), head.size.0);
    assert_eq!(cosigners(&witnessing.checkpoint(&head)), 3);
    witnessing
        .policy()
        .verify_checkpoint(&Note::parse(witnessed.as_bytes()).unwrap())
        .unwrap();

    // One witness down: the quorum holds.
    let [w1, w2, w3]: [Running; 3] = w.try_into().ok().unwrap();
    let port3 = w3.port();
    w3.stop().await;
    write(&ledger, "two").await;
    witnessing.round().await;
    let two = ledger.head().size.0;
    assert_eq!(size_of(&witnessing.witnessed().unwrap()), two);
    assert_eq!(cosigners(&witnessing.checkpoint(&ledger.head())), 2);
    assert!(
        metrics_text(&witnessing).contains("provenant_witness_failures_total{witness=\"w3\"} 1")
    );

    // Two down: writes go on, the witnessed checkpoint stays.
    let port2 = w2.port();
    w2.stop().await;
    write(&ledger, "three").await;
    witnessing.round().await;
    assert!(ledger.head().size.0 > two);
    assert_eq!(size_of(&witnessing.witnessed().unwrap()), two);
    let waited = witnessing
        .wait_for(ledger.head().size.0, Duration::from_millis(200))
        .await;
    assert_eq!(waited, None);

    // Both back, on their old state: they catch up (w3 from the size it
    // cosigned two rounds ago), and a waiting write wakes.
    let w2 = Running::start(dirs[1].path(), 2, &ledger, port2).await;
    let w3 = Running::start(dirs[2].path(), 3, &ledger, port3).await;
    let target = ledger.head().size.0;
    let sleeper = {
        let witnessing = witnessing.clone();
        tokio::spawn(async move { witnessing.wait_for(target, Duration::from_secs(10)).await })
    };
    witnessing.round().await;
    let woke = sleeper.await.unwrap().expect("the waiting write wakes");
    assert_eq!(size_of(&woke.1), target);
    assert_eq!(woke.0.0, target);
    assert_eq!(cosigners(&witnessing.checkpoint(&ledger.head())), 3);

    // A restart resumes from the record: same witnessed checkpoint, and
    // every witness known at the head (nothing is sent again).
    let again = Witnessing::new(ledger.clone(), config(policy(&ledger, &urls))).unwrap();
    assert_eq!(again.witnessed(), witnessing.witnessed());
    assert_eq!(
        again.checkpoint(&ledger.head()),
        witnessing.checkpoint(&ledger.head())
    );
    again.round().await;
    assert!(!metrics_text(&again).contains("provenant_witness_cosignatures_total"));
    for r in [w1, w2, w3] {
        r.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflict_is_resent_from_the_witness_size() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = ledger();
    write(&ledger, "a").await;
    let w1 = Running::start(dir.path(), 1, &ledger, 0).await;
    let first = Witnessing::new(ledger.clone(), config(policy(&ledger, &[(1, &w1.url)]))).unwrap();
    first.round().await;

    // A log that lost its record starts from `old 0`.
    Record::default().save(&ledger).unwrap();
    write(&ledger, "b").await;
    let second = Witnessing::new(ledger.clone(), config(policy(&ledger, &[(1, &w1.url)]))).unwrap();
    second.round().await;
    let text = metrics_text(&second);
    assert!(
        text.contains("provenant_witness_conflicts_total{witness=\"w1\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("provenant_witness_cosignatures_total{witness=\"w1\"} 1"),
        "{text}"
    );
    assert!(!text.contains("alarms_total{"), "{text}");
    assert_eq!(cosigners(&second.checkpoint(&ledger.head())), 1);
    w1.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fork_raises_the_alarm_and_is_never_witnessed() {
    let dir = tempfile::tempdir().unwrap();
    let honest = ledger();
    write(&honest, "a").await;
    write(&honest, "b").await;
    let w1 = Running::start(dir.path(), 1, &honest, 0).await;
    let urls = [(1, w1.url.as_str())];
    let witnessing = Witnessing::new(honest.clone(), config(policy(&honest, &urls))).unwrap();
    witnessing.round().await;
    assert!(
        witnessing.witnessed().is_none(),
        "one witness is no quorum of two"
    );

    // The same key and origin, another history, one entry longer.
    let fork = ledger();
    write(&fork, "x").await;
    write(&fork, "y").await;
    write(&fork, "z").await;
    let forked = Witnessing::new(fork.clone(), config(policy(&fork, &urls))).unwrap();
    forked.round().await;
    let text = metrics_text(&forked);
    assert!(
        text.contains("provenant_witness_alarms_total{witness=\"w1\",status=\"422\"} 1"),
        "{text}"
    );
    assert_eq!(cosigners(&forked.checkpoint(&fork.head())), 0);
    // The alarm is raised again every round, never dropped.
    forked.round().await;
    assert!(metrics_text(&forked).contains("status=\"422\"} 2"));
    w1.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_log_is_cosigned_again_so_its_witnessed_time_stays_recent() {
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let ledger = ledger();
    write(&ledger, "only").await;
    let w1 = Running::start(dirs[0].path(), 1, &ledger, 0).await;
    let w2 = Running::start(dirs[1].path(), 2, &ledger, 0).await;
    let urls = [(1, w1.url.as_str()), (2, w2.url.as_str())];
    let mut quiet = config(policy(&ledger, &urls));
    quiet.refresh = Duration::from_secs(1);
    let witnessing = Witnessing::new(ledger.clone(), quiet).unwrap();
    let time = |w: &Witnessing| {
        let note = Note::parse(w.witnessed().unwrap().as_bytes()).unwrap();
        provenant_api::fresh::quorum_time(w.policy(), &note)
            .unwrap()
            .unwrap()
    };
    witnessing.round().await;
    let first = time(&witnessing);
    // Nothing is written; past the refresh period, the witnesses are asked
    // again and the same checkpoint is witnessed with a later time, each
    // witness keeping one line.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    witnessing.round().await;
    assert!(time(&witnessing) > first);
    assert_eq!(cosigners(&witnessing.witnessed().unwrap()), 2);
    let lines = witnessing
        .witnessed()
        .unwrap()
        .matches("\n\u{2014} ")
        .count();
    assert_eq!(lines, 3, "the log's signature and one line per witness");
    w1.stop().await;
    w2.stop().await;
}
