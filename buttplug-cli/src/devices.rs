//! `buttplug devices [FILTER]`: search the device database.

use buttplug_devices::config::DeviceDatabase;
use clap::Args;
use std::fmt::Write as _;

/// Arguments of `devices`.
#[derive(Debug, Args)]
pub(crate) struct DevicesArgs {
    /// Case-insensitive filter on device name, protocol and transport (empty: everything).
    filter: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Device config file to search instead of the built-in database.
    #[arg(long)]
    device_config_file: Option<std::path::PathBuf>,
}

pub(crate) fn run(args: &DevicesArgs) -> Result<(), String> {
    let owned;
    let db = match &args.device_config_file {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            owned = DeviceDatabase::from_json(&text, &path.display().to_string())
                .map_err(|e| e.to_string())?;
            &owned
        }
        None => DeviceDatabase::builtin(),
    };
    let found = db.search(args.filter.as_deref().unwrap_or(""));
    if args.json {
        let list: Vec<serde_json::Value> = found
            .iter()
            .map(|d| {
                serde_json::json!({
                    "name": d.name,
                    "protocol": d.protocol,
                    "identifiers": d.identifiers,
                    "transports": d.transports,
                    "features": d.features.iter().map(|f| serde_json::json!({
                        "index": f.index,
                        "description": f.description,
                        "outputs": f.outputs.iter().map(|o| serde_json::json!({
                            "type": o.output_type, "range": [o.value.start, o.value.end]
                        })).collect::<Vec<_>>(),
                        "inputs": f.inputs.iter().map(|i| serde_json::json!({
                            "type": i.input_type, "commands": i.commands
                        })).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(list));
        return Ok(());
    }
    let mut out = String::new();
    for d in &found {
        let _ = write!(
            out,
            "{}  [{}; {}]",
            d.name,
            d.protocol,
            d.transports.join(", ")
        );
        if !d.identifiers.is_empty() {
            let _ = write!(out, "  ids: {}", d.identifiers.join(", "));
        }
        out.push('\n');
        for f in &d.features {
            for o in &f.outputs {
                let _ = writeln!(
                    out,
                    "    feature {}: {} [{}, {}]",
                    f.index, o.output_type, o.value.start, o.value.end
                );
            }
            for i in &f.inputs {
                let cmds: Vec<String> = i.commands.iter().map(|c| format!("{c:?}")).collect();
                let _ = writeln!(
                    out,
                    "    feature {}: {} input ({})",
                    f.index,
                    i.input_type,
                    cmds.join(", ")
                );
            }
        }
    }
    let _ = writeln!(out, "{} device configurations", found.len());
    print!("{out}");
    Ok(())
}
