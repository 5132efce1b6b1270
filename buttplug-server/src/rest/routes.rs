//! Route matching and the handlers. Path matching only: HTTP itself is hyper's.

use super::clients::Clients;
use super::events::{EventLog, Subscription};
use crate::render::device_info;
use crate::{DeviceManager, ServerDevice, ServerDeviceError};
use buttplug_core::{InputCommandType, InputType, OutputType};
use buttplug_devices::{DeviceError, InputReading};
use hyper::StatusCode;

/// What a handler answers; the HTTP layer turns it into a response.
pub(crate) enum Reply {
    /// A status with an empty body.
    Empty(StatusCode),
    /// A status with a `text/plain` body.
    Text(StatusCode, String),
    /// 200 with a JSON body.
    Json(String),
    /// 405 with this `Allow` header.
    MethodNotAllowed(&'static str),
    /// 200 `text/event-stream`.
    Events(Subscription),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Verb {
    Get,
    Put,
}

#[derive(Clone, Copy)]
enum Handler {
    StartScanning,
    StopScanning,
    Devices,
    StopAll,
    Device,
    StopDevice,
    Features,
    Feature,
    DeviceOutput,
    FeatureOutput,
    Battery,
    ReadInput,
    Subscribe,
    Unsubscribe,
    Events,
    Scanning,
    Clients,
    Claims,
    Limits,
    SetLimit,
}

/// The routes under `/api/v1/`; `{}` matches one non-empty segment. Literal routes come before
/// the patterns that could also match them (`devices/stop` before `devices/{}`).
const ROUTES: &[(&str, Verb, Handler)] = &[
    ("start-scanning", Verb::Get, Handler::StartScanning),
    ("stop-scanning", Verb::Get, Handler::StopScanning),
    ("devices", Verb::Get, Handler::Devices),
    ("devices/stop", Verb::Put, Handler::StopAll),
    ("devices/{}", Verb::Get, Handler::Device),
    ("devices/{}/stop", Verb::Put, Handler::StopDevice),
    ("devices/{}/features", Verb::Get, Handler::Features),
    ("devices/{}/features/{}/", Verb::Put, Handler::Feature),
    ("devices/{}/outputs/{}/{}", Verb::Put, Handler::DeviceOutput),
    (
        "devices/{}/features/{}/outputs/{}/{}",
        Verb::Put,
        Handler::FeatureOutput,
    ),
    ("devices/{}/battery", Verb::Get, Handler::Battery),
    (
        "devices/{}/features/{}/inputs/{}",
        Verb::Get,
        Handler::ReadInput,
    ),
    (
        "devices/{}/features/{}/inputs/{}/subscribe",
        Verb::Put,
        Handler::Subscribe,
    ),
    (
        "devices/{}/features/{}/inputs/{}/unsubscribe",
        Verb::Put,
        Handler::Unsubscribe,
    ),
    ("events", Verb::Get, Handler::Events),
    ("scanning", Verb::Get, Handler::Scanning),
    ("clients", Verb::Get, Handler::Clients),
    ("claims", Verb::Get, Handler::Claims),
    ("devices/{}/limits", Verb::Get, Handler::Limits),
    ("devices/{}/limits/{}/{}", Verb::Put, Handler::SetLimit),
];

fn match_route(path: &str) -> Option<(Verb, Handler, Vec<&str>)> {
    let rest = path.strip_prefix("/api/v1/")?;
    'routes: for (pattern, verb, handler) in ROUTES {
        let mut params = Vec::new();
        let mut segments = rest.split('/');
        for want in pattern.split('/') {
            let Some(got) = segments.next() else {
                continue 'routes;
            };
            if want == "{}" {
                if got.is_empty() {
                    continue 'routes;
                }
                params.push(got);
            } else if want != got {
                continue 'routes;
            }
        }
        if segments.next().is_none() {
            return Some((*verb, *handler, params));
        }
    }
    None
}

fn text(status: StatusCode, body: impl Into<String>) -> Reply {
    Reply::Text(status, body.into())
}

fn bad_url(message: String) -> Reply {
    text(StatusCode::BAD_REQUEST, format!("Invalid URL: {message}"))
}

fn no_device(index: u32) -> Reply {
    text(
        StatusCode::NOT_FOUND,
        format!("Device index {index} does not refer to a currently connected device."),
    )
}

fn no_feature(index: u32, feature: u32) -> Reply {
    text(
        StatusCode::NOT_FOUND,
        format!(
            "Device index {index} feature index {feature} does not refer to a valid device feature."
        ),
    )
}

fn library_error(message: impl std::fmt::Display) -> Reply {
    text(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("Library Error: {message}"),
    )
}

fn conversion_error(message: impl std::fmt::Display) -> Reply {
    library_error(format!("Error converting output command: {message}"))
}

fn parse_u32(s: &str) -> Result<u32, Reply> {
    s.parse()
        .map_err(|_| bad_url(format!("Cannot parse `{s}` to a `u32`")))
}

fn parse_f64(s: &str) -> Result<f64, Reply> {
    s.parse()
        .map_err(|_| bad_url(format!("Cannot parse `{s}` to a `f64`")))
}

/// The engine's order of output types in its error text.
const OUTPUT_NAMES: [OutputType; 9] = [
    OutputType::Vibrate,
    OutputType::Rotate,
    OutputType::Oscillate,
    OutputType::Constrict,
    OutputType::Temperature,
    OutputType::Led,
    OutputType::Position,
    OutputType::HwPositionWithDuration,
    OutputType::Spray,
];

fn expected(names: impl Iterator<Item = &'static str>) -> String {
    names
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse_output(s: &str) -> Result<OutputType, Reply> {
    OUTPUT_NAMES
        .into_iter()
        .find(|t| t.as_str() == s)
        .ok_or_else(|| {
            let names = expected(OUTPUT_NAMES.iter().map(|t| t.as_str()));
            bad_url(format!("unknown variant `{s}`, expected one of {names}"))
        })
}

fn parse_input(s: &str) -> Result<InputType, Reply> {
    InputType::ALL
        .into_iter()
        .find(|t| t.as_str() == s)
        .ok_or_else(|| {
            let names = expected(InputType::ALL.iter().map(|t| t.as_str()));
            bad_url(format!("unknown variant `{s}`, expected one of {names}"))
        })
}

/// One device as JSON: index, name, display name (null when unset) and its features in the v4
/// `DeviceList` shape, in that order (the engine's). `kind` is the event type, first, if set.
#[derive(serde::Serialize)]
pub(crate) struct DeviceJson {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    index: u32,
    name: String,
    display_name: Option<String>,
    features: std::collections::BTreeMap<u32, buttplug_core::v4::DeviceFeatureV4>,
}

/// The JSON of one device.
pub(crate) fn device_json(manager: &DeviceManager, device: &ServerDevice) -> DeviceJson {
    let info = device_info(device, false, manager.supports_rssi(device.index())).to_v4();
    DeviceJson {
        kind: None,
        index: device.index(),
        name: info.device_name,
        display_name: info.device_display_name,
        features: info.device_features,
    }
}

/// One input reading as JSON.
#[derive(serde::Serialize)]
pub(crate) struct ReadingJson {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    index: u32,
    feature_index: u32,
    input_type: &'static str,
    value: i32,
}

/// The JSON of one input reading.
pub(crate) fn reading_json(index: u32, reading: &InputReading) -> ReadingJson {
    ReadingJson {
        kind: None,
        index,
        feature_index: reading.feature_index,
        input_type: reading.input_type.as_str(),
        value: reading.value,
    }
}

/// A device's device-wide limits as JSON (`null` for a limit that is not set), with the
/// server's defaults that apply where the device sets none.
fn limits_json(
    limits: buttplug_devices::config::OutputLimits,
    defaults: buttplug_devices::config::OutputLimits,
) -> Reply {
    to_json(&serde_json::json!({
        "max_level": limits.max_level(),
        "max_ramp": limits.max_ramp(),
        "defaults": {
            "max_level": defaults.max_level(),
            "max_ramp": defaults.max_ramp(),
        },
    }))
}

/// `max_level` or `max_ramp` set to `value` (`none` removes it), checked as the user config
/// checks it.
fn set_limit(
    limits: buttplug_devices::config::OutputLimits,
    name: &str,
    value: &str,
) -> Result<buttplug_devices::config::OutputLimits, Reply> {
    use buttplug_devices::config::OutputLimits;
    let value = match value {
        "none" => None,
        v => Some(parse_f64(v)?),
    };
    let (level, ramp) = match name {
        "max_level" => (value, limits.max_ramp()),
        "max_ramp" => (limits.max_level(), value),
        other => {
            return Err(bad_url(format!(
                "unknown limit `{other}`, expected one of `max_level`, `max_ramp`"
            )));
        }
    };
    OutputLimits::new(level, ramp).map_err(|e| bad_url(e.to_string()))
}

fn to_json(value: &impl serde::Serialize) -> Reply {
    match serde_json::to_string(value) {
        Ok(text) => Reply::Json(text),
        Err(e) => library_error(e),
    }
}

/// Answer one request. `head` is a HEAD request (answered as GET; the body is dropped later).
pub(crate) async fn handle(
    manager: &DeviceManager,
    log: &EventLog,
    clients: Option<&Clients>,
    method: &hyper::Method,
    path: &str,
    last_event_id: Option<u64>,
) -> Reply {
    let Some((verb, handler, params)) = match_route(path) else {
        return Reply::Empty(StatusCode::NOT_FOUND);
    };
    let allowed = match verb {
        Verb::Get => *method == hyper::Method::GET || *method == hyper::Method::HEAD,
        Verb::Put => *method == hyper::Method::PUT,
    };
    if !allowed {
        return Reply::MethodNotAllowed(match verb {
            Verb::Get => "GET,HEAD",
            Verb::Put => "PUT",
        });
    }
    match run(manager, log, clients, handler, &params, last_event_id).await {
        Ok(reply) | Err(reply) => reply,
    }
}

fn param<'a>(params: &[&'a str], n: usize) -> &'a str {
    params.get(n).copied().unwrap_or("")
}

async fn run(
    manager: &DeviceManager,
    log: &EventLog,
    clients: Option<&Clients>,
    handler: Handler,
    params: &[&str],
    last_event_id: Option<u64>,
) -> Result<Reply, Reply> {
    let ok = Reply::Empty(StatusCode::OK);
    // Every path value is parsed before anything is looked up, as the engine does.
    let index = match handler {
        Handler::StartScanning
        | Handler::StopScanning
        | Handler::Devices
        | Handler::StopAll
        | Handler::Events
        | Handler::Scanning
        | Handler::Clients
        | Handler::Claims => None,
        _ => Some(parse_u32(param(params, 0))?),
    };
    let device = || {
        let index = index.unwrap_or(0);
        manager.device(index).ok_or_else(|| no_device(index))
    };
    Ok(match handler {
        Handler::StartScanning => {
            manager.start_scanning().await.map_err(library_error)?;
            ok
        }
        Handler::StopScanning => {
            manager.stop_scanning().await;
            ok
        }
        Handler::Devices => {
            let all: std::collections::BTreeMap<u32, DeviceJson> = manager
                .devices()
                .iter()
                .map(|d| (d.index(), device_json(manager, d)))
                .collect();
            to_json(&all)
        }
        Handler::StopAll => {
            manager.stop_all().await;
            ok
        }
        Handler::Device => to_json(&device_json(manager, &device()?)),
        Handler::StopDevice => {
            let d = device()?;
            d.stop(None, true, true)
                .await
                .map_err(|e| device_error(&d, None, e))?;
            ok
        }
        Handler::Features => {
            let d = device()?;
            to_json(&device_json(manager, &d).features)
        }
        Handler::Feature => {
            let feature = parse_u32(param(params, 1))?;
            let d = device()?;
            match device_json(manager, &d).features.get(&feature) {
                Some(f) => to_json(f),
                None => return Err(no_feature(d.index(), feature)),
            }
        }
        Handler::DeviceOutput => {
            let output = parse_output(param(params, 1))?;
            let level = parse_f64(param(params, 2))?;
            let d = device()?;
            let features: Vec<u32> = d
                .definition()
                .features
                .iter()
                .filter(|f| f.output(output).is_some_and(|o| !o.disabled))
                .map(|f| f.index)
                .collect();
            let mut commands = Vec::with_capacity(features.len());
            for feature in features {
                commands.push(output_command(&d, feature, output, level)?);
            }
            if let Some(batch) = crate::OutputBatch::collect(commands) {
                d.outputs(batch)
                    .await
                    .map_err(|e| device_error(&d, None, e))?;
            }
            ok
        }
        Handler::FeatureOutput => {
            let feature = parse_u32(param(params, 1))?;
            let output = parse_output(param(params, 2))?;
            let level = parse_f64(param(params, 3))?;
            let d = device()?;
            let command = output_command(&d, feature, output, level)?;
            d.output(command)
                .await
                .map_err(|e| device_error(&d, Some(feature), e))?;
            ok
        }
        Handler::Battery => {
            let d = device()?;
            let feature = d
                .definition()
                .features
                .iter()
                .find(|f| {
                    f.input(InputType::Battery)
                        .is_some_and(|i| i.commands.contains(&InputCommandType::Read))
                })
                .map(|f| f.index)
                .ok_or_else(|| {
                    text(
                        StatusCode::NOT_FOUND,
                        format!("Device index {} has no readable battery.", d.index()),
                    )
                })?;
            read(&d, feature, InputType::Battery).await?
        }
        Handler::ReadInput => {
            let feature = parse_u32(param(params, 1))?;
            let input = parse_input(param(params, 2))?;
            let d = device()?;
            read(&d, feature, input).await?
        }
        Handler::Subscribe | Handler::Unsubscribe => {
            let feature = parse_u32(param(params, 1))?;
            let input = parse_input(param(params, 2))?;
            let d = device()?;
            d.subscribe_input(feature, input, matches!(handler, Handler::Subscribe))
                .await
                .map_err(|e| device_error(&d, Some(feature), e))?;
            ok
        }
        Handler::Events => Reply::Events(log.subscribe(last_event_id)),
        Handler::Scanning => to_json(&serde_json::json!({ "scanning": manager.is_scanning() })),
        Handler::Clients => {
            let list: Vec<serde_json::Value> = clients
                .map(Clients::list)
                .unwrap_or_default()
                .into_iter()
                .map(|(id, name)| serde_json::json!({ "id": id, "name": name }))
                .collect();
            to_json(&list)
        }
        Handler::Claims => {
            let held: serde_json::Map<String, serde_json::Value> = manager
                .devices()
                .iter()
                .filter_map(|d| Some((d.index().to_string(), d.claimed_by()?.into())))
                .collect();
            to_json(&held)
        }
        Handler::Limits => {
            let index = index.unwrap_or(0);
            let limits = manager
                .device_limits(index)
                .ok_or_else(|| no_device(index))?;
            limits_json(limits, manager.default_limits())
        }
        Handler::SetLimit => {
            let index = index.unwrap_or(0);
            let current = manager
                .device_limits(index)
                .ok_or_else(|| no_device(index))?;
            let limits = set_limit(current, param(params, 1), param(params, 2))?;
            match manager.set_device_limits(index, limits).await {
                Ok(()) => limits_json(limits, manager.default_limits()),
                Err(crate::SetLimitsError::NoDevice { index }) => return Err(no_device(index)),
                Err(e) => return Err(library_error(e)),
            }
        }
    })
}

async fn read(d: &ServerDevice, feature: u32, input: InputType) -> Result<Reply, Reply> {
    let value = d
        .read_input(feature, input)
        .await
        .map_err(|e| device_error(d, Some(feature), e))?;
    let reading = InputReading {
        feature_index: feature,
        input_type: input,
        value,
    };
    Ok(to_json(&reading_json(d.index(), &reading)))
}

/// A fraction turned into the feature's steps and checked, with the engine's error texts.
fn output_command(
    d: &ServerDevice,
    feature: u32,
    output: OutputType,
    level: f64,
) -> Result<buttplug_devices::OutputCommand, Reply> {
    if output == OutputType::HwPositionWithDuration {
        return Err(conversion_error(
            "Cannot use HwPositionWithDuration with this method",
        ));
    }
    let f = d
        .definition()
        .feature(feature)
        .ok_or_else(|| no_feature(d.index(), feature))?;
    let o = f.output(output).ok_or_else(|| {
        conversion_error(format!(
            "Device feature does not support output type {output}"
        ))
    })?;
    if !(-1.0..=1.0).contains(&level) {
        return Err(conversion_error(format!(
            "Float values must be between 0.0 and 1.0, received value was {level}"
        )));
    }
    let max = f64::from(o.client_range().end);
    let steps = if level > 0.000_001 {
        (level * max).ceil()
    } else {
        (level * max).floor()
    };
    // |level| <= 1, so steps lies within ±max and fits in i64.
    d.check_output(feature, output, steps as i64, None)
        .map_err(|e| device_error(d, Some(feature), e))
}

fn device_error(d: &ServerDevice, feature: Option<u32>, e: ServerDeviceError) -> Reply {
    match e {
        ServerDeviceError::NoDevice { index } | ServerDeviceError::Gone { index } => {
            no_device(index)
        }
        ServerDeviceError::NoFeature { device, feature } => no_feature(device, feature),
        ServerDeviceError::Device(DeviceError::NoFeature { index }) => {
            no_feature(d.index(), feature.unwrap_or(index))
        }
        ServerDeviceError::NotOnFeature { what, .. } => text(
            StatusCode::NOT_FOUND,
            format!(
                "Device index {} feature index {} has no {what}.",
                d.index(),
                feature.unwrap_or(0)
            ),
        ),
        other => library_error(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(path: &str) -> Option<(Vec<&str>, bool)> {
        match_route(path).map(|(v, _, p)| (p, v == Verb::Get))
    }

    #[test]
    fn literal_routes_win_and_trailing_slashes_matter() {
        assert_eq!(route("/api/v1/devices/stop"), Some((vec![], false)));
        assert_eq!(route("/api/v1/devices/7"), Some((vec!["7"], true)));
        assert_eq!(
            route("/api/v1/devices/1/features/2/"),
            Some((vec!["1", "2"], false))
        );
        assert_eq!(route("/api/v1/devices/1/features/2"), None);
        assert_eq!(route("/api/v1/devices/"), None);
        assert_eq!(route("/api/v1/devices//stop"), None);
        assert_eq!(route("/api/v1/devices/1/stop/"), None);
        assert_eq!(route("/api/v2/devices"), None);
    }
}
