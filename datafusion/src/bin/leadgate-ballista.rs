//! `leadgate-ballista`: a Ballista scheduler or executor with leadgate's SQL
//! functions, deciding with the packs of a directory. Every process of a
//! cluster must be given the same packs.
//!
//! ```text
//! leadgate-ballista scheduler --packs DIR [--bind 0.0.0.0:50050]
//! leadgate-ballista executor --packs DIR --scheduler HOST:50050
//!                            [--bind 0.0.0.0:50051] [--external-host HOST] [--vcores N]
//! ```

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;

use leadgate_datafusion::Registry;
use leadgate_datafusion::ballista::{ExecutorProcessConfig, SchedulerConfig};

const USAGE: &str = "\
usage: leadgate-ballista scheduler --packs DIR [--bind ADDR]
       leadgate-ballista executor --packs DIR --scheduler HOST:PORT [--bind ADDR] [--external-host HOST] [--vcores N]

--packs DIR           every folder of DIR with a pack.toml, under the folder's name;
                      the folder `default` decides rows that name no pack (else the shipped b2b-bant)
--bind ADDR           where to listen [scheduler 0.0.0.0:50050, executor 0.0.0.0:50051];
                      an executor also listens on the next port, for its gRPC service
--scheduler HOST:PORT the scheduler an executor takes tasks from
--external-host HOST  the name other executors reach this one by [the bind address]
--vcores N            tasks an executor runs at once [the machine's cores]";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let (role, options) = args.split_first().ok_or("name a role: scheduler or executor")?;
    let option = |name: &str| -> Result<Option<String>, String> {
        match options.iter().position(|a| a == name) {
            Some(i) => options.get(i + 1).cloned().map(Some).ok_or(format!("{name} needs a value")),
            None => Ok(None),
        }
    };
    let packs = PathBuf::from(option("--packs")?.ok_or("--packs DIR is required")?);
    let registry = Registry::from_dir(&packs).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    match role.as_str() {
        "scheduler" => {
            let bind = address(&option("--bind")?.unwrap_or("0.0.0.0:50050".into()))?;
            let config = SchedulerConfig {
                bind_host: bind.ip().to_string(),
                bind_port: bind.port(),
                ..SchedulerConfig::default()
            };
            runtime.block_on(leadgate_datafusion::ballista::scheduler(config, registry))
        }
        "executor" => {
            let bind = address(&option("--bind")?.unwrap_or("0.0.0.0:50051".into()))?;
            let scheduler = address(&option("--scheduler")?.ok_or("--scheduler HOST:PORT is required")?)?;
            let mut config = ExecutorProcessConfig {
                bind_host: bind.ip().to_string(),
                port: bind.port(),
                grpc_port: bind.port().saturating_add(1),
                external_host: option("--external-host")?,
                scheduler_host: scheduler.ip().to_string(),
                scheduler_port: scheduler.port(),
                ..ExecutorProcessConfig::default()
            };
            if let Some(vcores) = option("--vcores")? {
                config.vcores =
                    vcores.parse().map_err(|_| format!("--vcores takes a number, got {vcores:?}"))?;
            }
            runtime.block_on(leadgate_datafusion::ballista::executor(config, registry))
        }
        other => return Err(format!("unknown role {other:?}: scheduler or executor")),
    }
    .map_err(|e| e.to_string())
}

/// `HOST:PORT`, resolved.
fn address(s: &str) -> Result<SocketAddr, String> {
    s.to_socket_addrs().map_err(|e| format!("{s}: {e}"))?.next().ok_or_else(|| format!("{s}: no address"))
}
