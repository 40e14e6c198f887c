//! A Ballista cluster of `leadgate-ballista` processes on loopback, as the
//! docs deploy it: for the Ballista test and the Parquet bench (which
//! includes this file by path).
#![allow(dead_code)]
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The processes, killed when dropped, and the scheduler's address.
pub struct Processes {
    children: Vec<Child>,
    pub scheduler: SocketAddr,
}

impl Drop for Processes {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Processes {
    /// The ids of the scheduler's and the executors' processes.
    pub fn pids(&self) -> impl Iterator<Item = u32> + '_ {
        self.children.iter().map(Child::id)
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A scheduler and `executors` single-slot executors deciding with the
/// packs of `packs`, once the scheduler listens.
pub fn start(packs: &str, executors: usize) -> Result<Processes, Box<dyn std::error::Error>> {
    let binary = env!("CARGO_BIN_EXE_leadgate-ballista");
    let spawn =
        |args: &[&str]| Command::new(binary).args(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn();
    let scheduler: SocketAddr = ([127, 0, 0, 1], free_port()?).into();
    let address = scheduler.to_string();
    let mut processes =
        Processes { children: vec![spawn(&["scheduler", "--packs", packs, "--bind", &address])?], scheduler };
    for _ in 0..executors {
        let bind = format!("127.0.0.1:{}", free_port()?);
        processes.children.push(spawn(&[
            "executor",
            "--packs",
            packs,
            "--scheduler",
            &address,
            "--bind",
            &bind,
            "--external-host",
            "127.0.0.1",
            "--vcores",
            "1",
        ])?);
    }
    for _ in 0..200 {
        if TcpStream::connect(scheduler).is_ok() {
            return Ok(processes);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err("the scheduler did not start".into())
}
