//! leadgate on a [Ballista](https://datafusion.apache.org/ballista/) cluster
//! (feature `ballista`): the same SQL functions, with every machine deciding
//! with the same packs.
//!
//! A query's plan travels from the client to the scheduler and on to the
//! executors, which name each function; each process finds `qualify` and
//! the others in its own session, built here from a [`Registry`]. So the
//! scheduler, every executor and the client are all started with one:
//! [`scheduler`], [`executor`] and [`client`], or [`local_cluster`] for all
//! of them in one process on this machine. The `leadgate-ballista` binary
//! runs the first two with the packs of a directory ([`Registry::from_dir`]).
//!
//! Ballista's own configuration types are re-exported: [`SchedulerConfig`],
//! [`ExecutorProcessConfig`].

use std::net::SocketAddr;
use std::sync::Arc;

use ballista::prelude::SessionContextExt;
use ballista_core::extension::{
    SessionConfigExt, ballista_aggregate_functions, ballista_scalar_functions, ballista_window_functions,
};
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
pub use ballista_executor::executor_process::ExecutorProcessConfig;
use ballista_executor::executor_process::start_executor_process;
use ballista_scheduler::cluster::BallistaCluster;
pub use ballista_scheduler::config::SchedulerConfig;
use datafusion::common::{DataFusionError, Result};
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::{Registry, functions};

/// A session with DataFusion's and Ballista's functions and leadgate's,
/// deciding with `registry`: what the scheduler builds for each query.
fn session(config: SessionConfig, registry: &Registry) -> Result<datafusion::execution::SessionState> {
    let mut scalar = ballista_scalar_functions();
    scalar.extend(functions(registry.clone()).into_iter().map(Arc::new));
    Ok(SessionStateBuilder::new()
        .with_default_features()
        .with_config(config)
        .with_runtime_env(Arc::new(RuntimeEnvBuilder::new().build()?))
        .with_optimizer_rules(ballista_core::optimizer::ballista_default_optimizer_rules())
        .with_scalar_functions(scalar)
        .with_aggregate_functions(ballista_aggregate_functions())
        .with_window_functions(ballista_window_functions())
        .build())
}

fn ballista_error(e: impl std::fmt::Display) -> DataFusionError {
    DataFusionError::Execution(format!("ballista: {e}"))
}

/// Runs Ballista's scheduler as `config` sets it up (`bind_host`,
/// `bind_port`...), with `registry`'s functions, until it stops: clients
/// send it queries, and it plans them and hands their tasks to executors.
///
/// # Errors
///
/// When it cannot listen where `config` says, or stops on an error.
pub async fn scheduler(mut config: SchedulerConfig, registry: Registry) -> Result<()> {
    let bind: SocketAddr =
        format!("{}:{}", config.bind_host, config.bind_port).parse().map_err(ballista_error)?;
    config.override_session_builder = Some(Arc::new(move |c: SessionConfig| session(c, &registry)));
    let cluster = BallistaCluster::new_from_config(&config).await.map_err(ballista_error)?;
    ballista_scheduler::scheduler_process::start_server(cluster, bind, Arc::new(config))
        .await
        .map_err(ballista_error)
}

/// Runs Ballista's executor as `config` sets it up (where it listens, its
/// scheduler, its cores...), with `registry`'s functions, until it stops.
///
/// # Errors
///
/// When it cannot listen or reach the scheduler, or stops on an error.
pub async fn executor(mut config: ExecutorProcessConfig, registry: Registry) -> Result<()> {
    let state = session(SessionConfig::new_with_ballista(), &registry)?;
    config.override_function_registry = Some(Arc::new(BallistaFunctionRegistry::from(&state)));
    start_executor_process(Arc::new(config)).await.map_err(ballista_error)
}

/// A context whose queries run on the cluster of the scheduler at
/// `scheduler`, planned with `registry`'s functions: register tables in
/// it (files every executor can read) and query as with a local context.
///
/// # Errors
///
/// When `scheduler` is not an address a context can reach.
pub async fn client(scheduler: SocketAddr, registry: Registry) -> Result<SessionContext> {
    let state = session(SessionConfig::new_with_ballista(), &registry)?;
    let ctx = SessionContext::remote_with_state(&format!("df://{scheduler}"), state).await?;
    // Ballista 55 swaps the state's functions for its own defaults when it
    // makes the state remote, so they are registered again.
    crate::register(&ctx, registry);
    Ok(ctx)
}

/// A scheduler and `executors` executors in this process, on loopback
/// ports the system chooses, each deciding with `registry`: for tests and
/// trying a cluster out. Returns the scheduler's address, for [`client`].
///
/// # Errors
///
/// When a port cannot be opened, or the scheduler does not answer.
pub async fn local_cluster(registry: Registry, executors: usize) -> Result<SocketAddr> {
    let state = session(SessionConfig::new_with_ballista(), &registry)?;
    let address = ballista_scheduler::standalone::new_standalone_scheduler_from_state(&state)
        .await
        .map_err(ballista_error)?;
    let url = format!("http://localhost:{}", address.port());
    // The scheduler serves from a task of its own; wait until it answers.
    let mut attempts = 0;
    let scheduler = loop {
        match SchedulerGrpcClient::connect(url.clone()).await {
            Ok(scheduler) => break scheduler,
            Err(e) if attempts >= 100 => return Err(ballista_error(e)),
            Err(_) => {
                attempts += 1;
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    };
    for _ in 0..executors.max(1) {
        ballista_executor::new_standalone_executor_from_state(scheduler.clone(), 1, &state)
            .await
            .map_err(ballista_error)?;
    }
    Ok(SocketAddr::from(([127, 0, 0, 1], address.port())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The session every process builds, and the client's context, hold
    /// the functions (the client's would lose them to Ballista's defaults).
    #[test]
    fn sessions_and_clients_hold_the_functions() {
        let registry = Registry::new(leadgate::Qualifier::new(&leadgate::Pack::b2b_bant()).unwrap());
        let state = session(SessionConfig::new_with_ballista(), &registry).unwrap();
        assert!(state.scalar_functions().contains_key("qualify"));
        let runtime = tokio::runtime::Runtime::new().unwrap();
        // No connection is made until a query runs.
        let ctx = runtime.block_on(client(SocketAddr::from(([127, 0, 0, 1], 50050)), registry)).unwrap();
        for name in ["qualify", "qualify_json", "explain", "explain_json"] {
            assert!(ctx.state().scalar_functions().contains_key(name), "{name}");
        }
    }
}
