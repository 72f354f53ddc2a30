//! Bad input on the socket never takes the server down; a deep trail
//! directory's socket is reachable; stale sockets are replaced.

mod common;

use std::io::{Read as _, Write as _};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::time::Duration;

use common::{Repo, draft};
use trail_journal::LogStore;
use trail_service::protocol::{self, MAX_FRAME, Response};
use trail_service::{Client, SUN_PATH_MAX, Server, ServiceError, socket_path};

fn raw(socket: &Path) -> UnixStream {
    let stream = UnixStream::connect(socket).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    stream
}

fn answer(stream: &mut UnixStream) -> Response {
    let body = protocol::read_frame(stream).expect("an answer");
    serde_json::from_slice(&body).expect("a response")
}

fn closed(stream: &mut UnixStream) -> bool {
    let mut rest = Vec::new();
    matches!(stream.read_to_end(&mut rest), Ok(0)) || rest.is_empty()
}

#[test]
fn garbage_oversized_and_truncated_frames_do_not_stop_the_server() {
    let repo = Repo::new();
    let daemon = repo.serve();
    let client = Client::connect(&repo.trail_dir).expect("connect").expect("a daemon");
    client.append(vec![draft(1)]).expect("append");

    // A well-framed body that is not a request: an error, and the connection lives on.
    let mut s = raw(&daemon.socket);
    protocol::write_frame(&mut s, b"\x00\x01garbage{{").expect("send");
    assert!(matches!(answer(&mut s), Response::Error { .. }));
    protocol::write_frame(&mut s, br#"{"op":"no_such_op"}"#).expect("send");
    assert!(matches!(answer(&mut s), Response::Error { .. }));
    protocol::write_frame(&mut s, br#"{"op":"get_raw","seq":"one"}"#).expect("send");
    assert!(matches!(answer(&mut s), Response::Error { .. }));
    protocol::write_frame(&mut s, br#"{"op":"next","cursor":99}"#).expect("send");
    assert!(matches!(answer(&mut s), Response::Error { .. }));
    protocol::write_frame(&mut s, br#"{"op":"head"}"#).expect("send");
    assert!(matches!(answer(&mut s), Response::Head { head: Some(h) } if h.seq == 1));

    // An oversized length prefix: an error, then the connection is closed.
    let mut s = raw(&daemon.socket);
    s.write_all(&(MAX_FRAME + 1).to_be_bytes()).expect("send");
    assert!(matches!(answer(&mut s), Response::Error { message } if message.contains("exceeds")));
    assert!(closed(&mut s));
    let mut s = raw(&daemon.socket);
    s.write_all(&[0xff; 64]).expect("send");
    assert!(matches!(answer(&mut s), Response::Error { .. }));

    // Raw garbage whose first bytes read as a small length: the body is read,
    // found malformed, answered with an error.
    let mut s = raw(&daemon.socket);
    s.write_all(b"\x00\x00\x00\x08GARBAGE!").expect("send");
    assert!(matches!(answer(&mut s), Response::Error { .. }));

    // A truncated frame: the client hangs up mid-frame; the server drops it.
    let mut s = raw(&daemon.socket);
    s.write_all(&[0, 0, 1, 0, b'{', b'"']).expect("send");
    s.shutdown(std::net::Shutdown::Write).expect("half close");
    assert!(closed(&mut s));
    let mut s = raw(&daemon.socket);
    s.write_all(&[0, 0]).expect("send");
    drop(s);

    // Many bad connections at once, beside a good client.
    let bad: Vec<_> = (0..20)
        .map(|i| {
            let socket = daemon.socket.clone();
            std::thread::spawn(move || {
                let mut s = raw(&socket);
                let _ = s.write_all(&[i as u8; 37]);
            })
        })
        .collect();
    for i in 2..50 {
        client.append(vec![draft(i)]).expect("append beside the garbage");
    }
    for t in bad {
        t.join().expect("no panic");
    }

    // The server still serves, old and new clients alike.
    assert_eq!(client.head().expect("head").seq, 49);
    let fresh = Client::connect(&repo.trail_dir).expect("connect").expect("a daemon");
    assert_eq!(fresh.head().expect("head").seq, 49);
    let status = fresh.status().expect("status");
    assert!(status["service"]["bad_requests"].as_u64().expect("counter") >= 7);
    drop((client, fresh));
    daemon.stop();
    assert!(trail_journal::verify(&*repo.store).expect("verify").ok());
}

#[test]
fn a_deep_trail_dir_keeps_its_socket_and_is_reachable() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut deep = tmp.path().to_owned();
    while deep.as_os_str().len() <= SUN_PATH_MAX {
        deep.push("a-rather-long-directory-name");
    }
    let trail_dir = deep.join(".git").join("trail");
    std::fs::create_dir_all(&trail_dir).expect("mkdir");
    let canonical = std::fs::canonicalize(&trail_dir).expect("canonical");
    if !Path::new("/proc/self/fd").is_dir() {
        eprintln!("skipped: no /proc/self/fd to reach a deep socket in place");
        return;
    }
    // In place, however deep: nothing in a shared directory to plant first.
    assert_eq!(socket_path(&trail_dir), canonical.join("daemon.sock"));
    let dotted = deep.join(".git").join("..").join(".git").join("trail");
    assert_eq!(socket_path(&dotted), canonical.join("daemon.sock"));

    let repo = Repo::at(tmp, trail_dir.clone());
    let daemon = repo.serve();
    assert_eq!(daemon.socket, canonical.join("daemon.sock"));
    assert!(daemon.socket.as_os_str().len() > SUN_PATH_MAX);
    let client = Client::connect(&trail_dir).expect("connect").expect("a daemon");
    client.append(vec![draft(1)]).expect("append");
    drop(client);
    let socket = daemon.socket.clone();
    daemon.stop();
    assert!(!socket.exists(), "the socket is removed on shutdown");
}

#[test]
fn no_daemon_means_none_and_a_stale_socket_is_replaced() {
    let repo = Repo::new();
    // No socket file.
    assert!(Client::connect(&repo.trail_dir).expect("connect").is_none());
    // A stale socket: bound once, nobody listens any more.
    let socket = socket_path(&repo.trail_dir);
    drop(UnixListener::bind(&socket).expect("bind"));
    assert!(socket.exists());
    assert!(Client::connect(&repo.trail_dir).expect("connect").is_none());
    // The daemon replaces it.
    let daemon = repo.serve();
    let client = Client::connect(&repo.trail_dir).expect("connect").expect("a daemon");
    assert_eq!(client.daemon_pid(), std::process::id());
    // A second daemon is refused while the first answers.
    match Server::bind(&repo.trail_dir, std::sync::Arc::clone(&repo.store)) {
        Err(ServiceError::AlreadyRunning { path }) => assert_eq!(path, socket),
        Err(e) => panic!("unexpected error: {e}"),
        Ok(_) => panic!("a second server bound the socket"),
    }
    assert_eq!(client.head().expect("head still served").seq, 0);
    drop(client);
    daemon.stop();
    assert!(!socket.exists());
    assert!(Client::connect(&repo.trail_dir).expect("connect").is_none());
    // Something that is not a socket in its place is not ours to remove.
    std::fs::write(&socket, b"not a socket").expect("write");
    assert!(Client::connect(&repo.trail_dir).expect("connect").is_none());
    assert!(matches!(
        Server::bind(&repo.trail_dir, std::sync::Arc::clone(&repo.store)),
        Err(ServiceError::NotASocket { .. })
    ));
}

#[test]
fn a_broken_connection_fails_the_request_and_the_client_says_so() {
    let repo = Repo::new();
    let daemon = repo.serve();
    let client = Client::connect(&repo.trail_dir).expect("connect").expect("a daemon");
    client.append(vec![draft(1)]).expect("append");
    daemon.stop();
    // The daemon is gone: an append is an error (the caller falls back), never a hang.
    let err = client.append(vec![draft(2)]).expect_err("no daemon");
    assert!(matches!(err, trail_journal::AppendError::Remote(_)), "{err:?}");
    assert!(err.to_string().contains("may or may not"), "{err}");
    let err = client.head().expect_err("no daemon");
    assert!(matches!(err, trail_journal::ReadError::Remote(_)), "{err:?}");
    assert_eq!(repo.store.head().expect("head").seq, 1);
}

#[test]
fn connect_never_blocks_long_and_checks_the_protocol_version() {
    let repo = Repo::new();
    let socket = socket_path(&repo.trail_dir);

    // Something listens but never answers: an error after the greeting's timeout.
    let silent = UnixListener::bind(&socket).expect("bind");
    let started = std::time::Instant::now();
    match Client::connect(&repo.trail_dir) {
        Err(ServiceError::Unresponsive { .. }) => {}
        other => panic!("expected Unresponsive, got {:?}", other.map(|c| c.is_some())),
    }
    let waited = started.elapsed();
    assert!(waited < trail_service::HELLO_TIMEOUT + Duration::from_secs(2), "{waited:?}");
    drop(silent);
    std::fs::remove_file(&socket).expect("remove");

    // A daemon of another protocol version: refused with a clear error.
    let other = UnixListener::bind(&socket).expect("bind");
    let fake = std::thread::spawn(move || {
        let (mut s, _) = other.accept().expect("accept");
        let _ = protocol::read_frame(&mut s).expect("hello");
        protocol::write_frame(&mut s, br#"{"r":"hello","protocol":99,"pid":1}"#).expect("send");
    });
    match Client::connect(&repo.trail_dir) {
        Err(ServiceError::Version { theirs: 99, .. }) => {}
        other => panic!("expected Version, got {:?}", other.map(|c| c.is_some())),
    }
    fake.join().expect("no panic");
}
