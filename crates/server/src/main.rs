//! The `borgermode` binary: parse options, start logging, run the server (or a maintenance
//! subcommand). Everything else lives in the library so the tests build the same server.

#![allow(clippy::print_stdout)]

use borgermode_server::app::{open_store, Application};
use borgermode_server::cli::args::{AuditCommand, Cli, CliCommand};
use borgermode_server::cli::demo;
use borgermode_server::ops::telemetry;
use borgermode_server::security::auth::Auth;
use clap::Parser;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(CliCommand::Healthcheck(args)) = &cli.command {
        // No runtime, no store, no log setup: this runs every few seconds in a container.
        return healthcheck(&cli.settings, args);
    }
    telemetry::init();
    cli.settings.validate().map_err(anyhow::Error::msg)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        match cli.command {
            Some(CliCommand::AdminToken) => rotate_admin_token(cli.settings).await,
            Some(CliCommand::Migrate) => migrate(cli.settings).await,
            Some(CliCommand::Export(args)) => export(cli.settings, args).await,
            Some(CliCommand::Audit(AuditCommand::Verify { meeting })) => {
                audit_verify(cli.settings, meeting).await
            }
            Some(CliCommand::Healthcheck(args)) => healthcheck(&cli.settings, &args),
            Some(CliCommand::Serve) | None => serve(cli.settings, cli.demo, cli.demo_2013).await,
        }
    })
}

fn healthcheck(
    settings: &borgermode_server::Settings,
    args: &borgermode_server::cli::args::HealthcheckArgs,
) -> anyhow::Result<()> {
    let addr = borgermode_server::cli::healthcheck::target(settings.bind);
    let path = if args.ready { "/readyz" } else { "/healthz" };
    let timeout = std::time::Duration::from_millis(args.timeout_ms.max(1));
    match borgermode_server::cli::healthcheck::check(addr, path, timeout) {
        Ok(status) => {
            println!("{addr}{path}: {status}");
            Ok(())
        }
        Err(why) => {
            // A plain line for `docker inspect` / kubectl, not an error with a backtrace.
            eprintln!("unhealthy: {why}");
            std::process::exit(1)
        }
    }
}

/// Opening the store applies any pending migration (PostgreSQL takes an advisory lock, so this
/// is safe next to running instances of the same version).
async fn migrate(settings: borgermode_server::Settings) -> anyhow::Result<()> {
    let store = open_store(&settings).await?;
    store.ping().await?;
    println!("database schema is up to date ({})", store.kind());
    Ok(())
}

async fn export(
    settings: borgermode_server::Settings,
    args: borgermode_server::cli::args::ExportArgs,
) -> anyhow::Result<()> {
    let store = open_store(&settings).await?;
    let meeting = borgermode_domain::MeetingId(args.meeting);
    let Some(body) =
        borgermode_server::report::export::export(store.as_ref(), meeting, args.format).await?
    else {
        eprintln!("no meeting {meeting} in this database");
        std::process::exit(2)
    };
    match args.out {
        Some(path) => std::fs::write(&path, body)
            .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?,
        None => {
            use std::io::Write as _;
            std::io::stdout().write_all(body.as_bytes())?;
        }
    }
    Ok(())
}

/// Opens the store directly (like `migrate`), so it also works with the server stopped.
async fn audit_verify(
    settings: borgermode_server::Settings,
    meeting: uuid::Uuid,
) -> anyhow::Result<()> {
    let store = open_store(&settings).await?;
    let id = borgermode_domain::MeetingId(meeting);
    match borgermode_server::report::audit::verify(store.as_ref(), id).await? {
        None => {
            eprintln!("no meeting {meeting}");
            std::process::exit(2)
        }
        Some(verdict @ borgermode_server::report::audit::Verdict::Intact { .. }) => {
            println!("meeting {meeting}: {verdict}");
            Ok(())
        }
        Some(verdict) => {
            println!("meeting {meeting}: {verdict}");
            std::process::exit(1)
        }
    }
}

async fn rotate_admin_token(settings: borgermode_server::Settings) -> anyhow::Result<()> {
    let store = open_store(&settings).await?;
    let token = Auth::new(store, None).rotate_admin_token().await?;
    // Printed to the terminal only, never through the log subscriber.
    println!("New organizer admin link (the old one stops working; a running server picks the new one up on restart):");
    println!("  {}/admin#token={token}", settings.public_url());
    Ok(())
}

async fn serve(
    settings: borgermode_server::Settings,
    with_demo: bool,
    with_2013: bool,
) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    let state = app.state();
    let public = state.settings.public_url();
    tracing::info!(
        port = app.port(),
        store = state.store.kind(),
        "borgermode listening on {public}"
    );
    println!("borgermode is running at {public}");
    if let Some(token) = &app.new_admin_token {
        println!("Organizer admin link (shown once; keep it secret; `borgermode admin-token` makes a new one):");
        println!("  {public}/admin#token={token}");
    }
    if with_demo {
        let links = demo::create(&state).await?;
        println!("Demo meeting:");
        println!("  citizens:  {}", links.citizen);
        println!("  moderator: {}", links.moderator);
        println!("  panelist:  {}", links.panelist);
    }
    if with_2013 {
        let id = demo::seed_2013(&state).await?;
        println!("The 2013 meeting:");
        println!("  report:  {public}/api/meetings/{id}/report.html (as organizer)");
        println!("  archive: {public}/m/{id}/archive");
    }
    let handle = app.handle();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down: closing live connections with 1012 and draining");
        handle.shutdown().await;
    });
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {},
                    _ = tokio::signal::ctrl_c() => {},
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
